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

// ContainerStats returns one sample of the container's usage, at once:
// its CPU counters come paired with an earlier reading (PreCPU), so that
// the CPU percentage needs no second call.
func (c *Client) ContainerStats(ctx context.Context, id string) (api.ContainerStats, error) {
	return callFor[api.ContainerStats](ctx, c, request{
		method: http.MethodGet, path: "/containers/" + seg(id) + "/stats", query: url.Values{"stream": {"false"}},
	})
}

// statsLine is one NDJSON line of a stats stream; a failed stream ends
// with an api.Error line.
type statsLine struct {
	api.ContainerStats
	Kind    api.ErrorKind `json:"kind"`
	Message string        `json:"message"`
}

// ContainerStatsStream calls fn with a sample of the container's usage
// every second until ctx ends (then it returns nil), the container is
// removed (nil too), the stream fails, or fn returns an error (which it
// returns).
func (c *Client) ContainerStatsStream(ctx context.Context, id string, fn func(api.ContainerStats) error) error {
	resp, err := c.send(ctx, request{
		method: http.MethodGet, path: "/containers/" + seg(id) + "/stats", query: url.Values{"stream": {"true"}},
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var l statsLine
		if err := dec.Decode(&l); err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the stats of %s: %w", id, err)
		}
		if l.Kind != "" && l.Message != "" && l.ID == "" {
			return FromAPIError(&api.Error{Kind: l.Kind, Message: l.Message})
		}
		if err := fn(l.ContainerStats); err != nil {
			return err
		}
	}
}

// ContainerUpdate changes the container's limits and restart policy.
func (c *Client) ContainerUpdate(ctx context.Context, id string, req api.ContainerUpdate) (api.ContainerUpdated, error) {
	return callFor[api.ContainerUpdated](ctx, c, request{
		method: http.MethodPost, path: "/containers/" + seg(id) + "/update", in: req,
	})
}
