// Package events is the daemon's in-process event bus: services publish
// container and image events, and each `events` client subscribes. A
// subscriber that falls behind is dropped rather than allowed to block
// the publishers.
package events

import (
	"context"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// backlog is how many events a subscriber may fall behind before it is
// dropped (its channel closed).
const backlog = 256

// Bus fans events out to subscribers.
type Bus struct {
	mu   sync.Mutex
	subs map[chan api.Event]struct{}
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[chan api.Event]struct{}{}} }

// Publish sends e to every subscriber, stamping its time when unset. It
// never blocks.
func (b *Bus) Publish(e api.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
			// Too slow: drop the subscriber, which sees its channel close.
			delete(b.subs, ch)
			close(ch)
		}
	}
}

// Subscribe returns a channel of the events published from now on. It is
// closed when ctx ends or when the subscriber falls behind.
func (b *Bus) Subscribe(ctx context.Context) <-chan api.Event {
	ch := make(chan api.Event, backlog)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	})
	return ch
}
