package daemon

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// defaultHistory is how many past events the daemon keeps for `since`.
const defaultHistory = 1000

// subscriberBacklog is how far an events client may fall behind before it
// is dropped (its stream ends), so that it never slows the others.
const subscriberBacklog = 256

// eventHistory keeps the last events of the bus and fans them out to the
// events clients. Taking the past and subscribing to what follows happen
// under one lock, so a client sees every event once, in order.
type eventHistory struct {
	mu   sync.Mutex
	ring []api.Event // oldest first once full: ring[next:] then ring[:next]
	next int
	full bool
	subs map[chan api.Event]struct{}
}

func newEventHistory(size int) *eventHistory {
	return &eventHistory{ring: make([]api.Event, size), subs: map[chan api.Event]struct{}{}}
}

// record copies the bus into the history from first, a subscription the
// caller made (so that nothing published after it is missed), until ctx
// ends, subscribing again if the bus dropped it.
func (h *eventHistory) record(ctx context.Context, src EventSource, first <-chan api.Event) {
	for sub := first; ctx.Err() == nil; sub = src.Subscribe(ctx) {
		for e := range sub {
			h.add(e)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// add appends e and hands it to the subscribers that keep up.
func (h *eventHistory) add(e api.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ring[h.next] = e
	h.next = (h.next + 1) % len(h.ring)
	if h.next == 0 {
		h.full = true
	}
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// subscribe returns the kept events and a channel of the next ones,
// closed when ctx ends or the subscriber falls behind.
func (h *eventHistory) subscribe(ctx context.Context) ([]api.Event, <-chan api.Event) {
	ch := make(chan api.Event, subscriberBacklog)
	h.mu.Lock()
	var past []api.Event
	if h.full {
		past = append(past, h.ring[h.next:]...)
	}
	past = append(past, h.ring[:h.next]...)
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	})
	return past, ch
}

// eventFilter selects the events of a request.
type eventFilter struct {
	since, until time.Time
	typ, id      string
	// action is the event filter: an action, or the name of an action
	// with a detail (health_status for "health_status: healthy").
	action string
}

func (f eventFilter) match(e api.Event) bool {
	return (f.typ == "" || e.Type == f.typ) &&
		(f.id == "" || e.ID == f.id || e.Name == f.id) &&
		(f.action == "" || e.Action == f.action || strings.SplitN(e.Action, ":", 2)[0] == f.action) &&
		(f.since.IsZero() || !e.Time.Before(f.since)) &&
		(f.until.IsZero() || !e.Time.After(f.until))
}

// events streams the events as NDJSON: first the kept ones at or after
// since (only when since is given), then the live ones, until the
// client leaves or until passes.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := eventFilter{since: q.time("since"), until: q.time("until"), typ: q.string("type"), id: q.string("id"), action: q.string("event")}
	if q.err != nil {
		return q.err
	}
	if !f.since.IsZero() && !f.until.IsZero() && f.until.Before(f.since) {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "until is before since")
	}
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	if !f.until.IsZero() {
		var stop context.CancelFunc
		ctx, stop = context.WithDeadline(ctx, f.until.Add(time.Millisecond))
		defer stop()
	}
	past, live := s.history.subscribe(ctx)

	lw := newLazyWriter(w, contentNDJSON)
	if err := lw.Start(); err != nil {
		return err
	}
	if !f.since.IsZero() {
		for _, e := range past {
			if f.match(e) {
				if err := lw.writeLine(e); err != nil {
					return err
				}
			}
		}
	}
	for e := range live {
		if f.match(e) {
			if err := lw.writeLine(e); err != nil {
				return err
			}
		}
	}
	return nil
}
