package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// EventsOptions filter an events stream.
type EventsOptions struct {
	// Since and Until bound the events' time (RFC 3339 or unix seconds).
	// Since replays past events from the daemon's bounded history; with
	// Until the stream ends once that time is reached.
	Since, Until string
	// Type is "container" or "image"; ID an object's id or name.
	Type, ID string
	// Event is an action (die, start...); an action with a detail
	// ("health_status: healthy") also answers to its name alone.
	Event string
}

// eventLine is one NDJSON line of the events stream; a failed stream may
// end with an api.Error.
type eventLine struct {
	api.Event
	Kind    api.ErrorKind `json:"kind"`
	Message string        `json:"message"`
}

// Events streams the daemon's events. The first channel carries events
// and is closed when the stream ends; the second then yields the reason
// once and is closed: nil when the daemon ended the stream (Until
// reached), ctx's error when ctx was cancelled, or the failure.
func (c *Client) Events(ctx context.Context, opts EventsOptions) (<-chan api.Event, <-chan error) {
	events := make(chan api.Event)
	errs := make(chan error, 1)
	q := url.Values{}
	for k, v := range map[string]string{"since": opts.Since, "until": opts.Until, "type": opts.Type, "id": opts.ID, "event": opts.Event} {
		if v != "" {
			q.Set(k, v)
		}
	}
	go func() {
		defer close(errs)
		defer close(events)
		resp, err := c.send(ctx, request{method: http.MethodGet, path: "/events", query: q})
		if err != nil {
			errs <- err
			return
		}
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		for {
			var l eventLine
			if err := dec.Decode(&l); err != nil {
				switch {
				case ctx.Err() != nil:
					errs <- ctx.Err()
				case errors.Is(err, io.EOF):
				default:
					errs <- fmt.Errorf("reading the daemon's events: %w", err)
				}
				return
			}
			if l.Message != "" && l.Kind != "" && l.Action == "" {
				errs <- FromAPIError(&api.Error{Kind: l.Kind, Message: l.Message})
				return
			}
			select {
			case events <- l.Event:
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
		}
	}()
	return events, errs
}
