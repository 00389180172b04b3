package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/events"
)

// eventStream reads the NDJSON events of an answer.
type eventStream struct {
	t  testing.TB
	br *bufio.Reader
}

func openEvents(t testing.TB, d *testDaemon, query string) *eventStream {
	t.Helper()
	resp := d.do(t, "GET", "/v1/events"+query, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentNDJSON {
		t.Fatalf("events: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &eventStream{t: t, br: bufio.NewReader(resp.Body)}
}

func (s *eventStream) next() api.Event {
	s.t.Helper()
	line, err := s.br.ReadBytes('\n')
	if err != nil {
		s.t.Fatalf("reading an event: %v", err)
	}
	var e api.Event
	if err := json.Unmarshal(line, &e); err != nil {
		s.t.Fatalf("event %q: %v", line, err)
	}
	return e
}

func TestEvents(t *testing.T) {
	bus := events.New()
	d := startDaemon(t, Config{Events: bus})

	// A live stream; once it has seen the events, the history holds them.
	live := openEvents(t, d, "")
	t1 := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	bus.Publish(api.Event{Type: "container", Action: "start", ID: "c1", Name: "web", Pid: 42, Time: t1})
	bus.Publish(api.Event{Type: "image", Action: "build", ID: "sha256:1"})
	if e := live.next(); e.Action != "start" || e.Pid != 42 || !e.Time.Equal(t1) {
		t.Fatalf("first live event %+v", e)
	}
	if e := live.next(); e.Action != "build" {
		t.Fatalf("second live event %+v", e)
	}

	// since replays the history, filtered, then goes on live.
	containers := openEvents(t, d, "?since=1&type=container")
	if e := containers.next(); e.ID != "c1" {
		t.Fatalf("replayed %+v, want c1's start", e)
	}
	byName := openEvents(t, d, "?since=1&id=web")
	if e := byName.next(); e.ID != "c1" {
		t.Fatalf("by name: %+v", e)
	}
	bus.Publish(api.Event{Type: "image", Action: "tag", ID: "sha256:1"})
	bus.Publish(api.Event{Type: "container", Action: "exit", ID: "c2", Name: "db"})
	if e := containers.next(); e.ID != "c2" || e.Action != "exit" {
		t.Fatalf("live after the replay: %+v, want c2's exit (the image event filtered out)", e)
	}

	if e := live.next(); e.Action != "tag" {
		t.Fatalf("live: %+v", e)
	}

	// until in the past: the history up to it, then the stream ends.
	bounded := d.do(t, "GET", "/v1/events?since=1&until=2001-06-01T00:00:00Z", nil)
	body, err := io.ReadAll(bounded.Body)
	if err != nil {
		t.Fatal(err)
	}
	lines := splitLines(body)
	var e api.Event
	if len(lines) != 1 || json.Unmarshal(lines[0], &e) != nil || e.ID != "c1" {
		t.Fatalf("bounded stream %q, want c1's start only", body)
	}
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

func TestEventHistoryIsBounded(t *testing.T) {
	h := newEventHistory(3)
	for i := range 5 {
		h.add(api.Event{ID: strconv.Itoa(i)})
	}
	past, _ := h.subscribe(context.Background())
	if len(past) != 3 || past[0].ID != "2" || past[2].ID != "4" {
		t.Fatalf("history %+v, want events 2, 3, 4", past)
	}
}

func TestSlowEventClientIsDropped(t *testing.T) {
	h := newEventHistory(10)
	_, ch := h.subscribe(context.Background())
	for range subscriberBacklog + 1 {
		h.add(api.Event{Action: "start"})
	}
	n := 0
	for range ch {
		n++
	}
	if n != subscriberBacklog {
		t.Fatalf("the slow client got %d events before its stream closed, want %d", n, subscriberBacklog)
	}
}
