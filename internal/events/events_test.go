package events

import (
	"context"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestPublishReachesSubscribers(t *testing.T) {
	b := New()
	ctx, cancel := context.WithCancel(context.Background())
	a, c := b.Subscribe(ctx), b.Subscribe(ctx)
	b.Publish(api.Event{Type: "container", Action: "start", ID: "x"})
	for _, ch := range []<-chan api.Event{a, c} {
		e := <-ch
		if e.Action != "start" || e.ID != "x" || e.Time.IsZero() {
			t.Fatalf("got %+v", e)
		}
	}
	cancel()
	if _, ok := <-a; ok {
		t.Fatal("channel still open after cancel")
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	b := New()
	slow := b.Subscribe(context.Background())
	for i := 0; i < backlog+1; i++ {
		b.Publish(api.Event{Action: "start"})
	}
	n := 0
	for range slow {
		n++
	}
	if n != backlog {
		t.Fatalf("slow subscriber got %d events before being dropped, want %d", n, backlog)
	}
}
