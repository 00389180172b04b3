package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/container-runtime/container-runtime/api"
)

// Wait conditions of ContainerWait.
const (
	// WaitNotRunning returns at once when the container is not running,
	// else when it exits.
	WaitNotRunning = "not-running"
	// WaitNextExit returns when the container next exits.
	WaitNextExit = "next-exit"
	// WaitRemoved returns when the container has been removed.
	WaitRemoved = "removed"
)

// ContainerCreate creates a container and returns its id and the daemon's
// warnings.
func (c *Client) ContainerCreate(ctx context.Context, req api.ContainerCreate) (api.ContainerCreated, error) {
	return callFor[api.ContainerCreated](ctx, c, request{method: http.MethodPost, path: "/containers", in: req})
}

// ContainerList lists the running containers, or all of them when all.
func (c *Client) ContainerList(ctx context.Context, all bool) ([]api.ContainerSummary, error) {
	return callFor[[]api.ContainerSummary](ctx, c, request{method: http.MethodGet, path: "/containers", query: flag("all", all)})
}

// ContainerPrune removes every stopped container.
func (c *Client) ContainerPrune(ctx context.Context) (api.PruneReport, error) {
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/containers/prune"})
}

// ContainerInspect describes a container (id, unique id prefix or name).
func (c *Client) ContainerInspect(ctx context.Context, id string) (api.ContainerInspect, error) {
	return callFor[api.ContainerInspect](ctx, c, request{method: http.MethodGet, path: "/containers/" + seg(id)})
}

// ContainerStart starts a created or stopped container.
func (c *Client) ContainerStart(ctx context.Context, id string) error {
	return c.post(ctx, "/containers/"+seg(id)+"/start", nil)
}

// ContainerStop stops a container: its stop signal, then SIGKILL after
// timeout seconds (nil: the container's or the default, 10 s).
func (c *Client) ContainerStop(ctx context.Context, id string, timeout *int) error {
	return c.post(ctx, "/containers/"+seg(id)+"/stop", seconds(timeout))
}

// ContainerRestart stops (as ContainerStop) and starts a container.
func (c *Client) ContainerRestart(ctx context.Context, id string, timeout *int) error {
	return c.post(ctx, "/containers/"+seg(id)+"/restart", seconds(timeout))
}

// ContainerKill sends signal ("KILL", "SIGTERM", "9"...; empty: SIGKILL)
// to a container's init.
func (c *Client) ContainerKill(ctx context.Context, id, signal string) error {
	var q url.Values
	if signal != "" {
		q = url.Values{"signal": {signal}}
	}
	return c.post(ctx, "/containers/"+seg(id)+"/kill", q)
}

// ContainerPause freezes every process of a container.
func (c *Client) ContainerPause(ctx context.Context, id string) error {
	return c.post(ctx, "/containers/"+seg(id)+"/pause", nil)
}

// ContainerUnpause thaws a paused container.
func (c *Client) ContainerUnpause(ctx context.Context, id string) error {
	return c.post(ctx, "/containers/"+seg(id)+"/unpause", nil)
}

// ContainerWait blocks until the container meets condition (WaitNotRunning
// when empty) and returns its exit status.
func (c *Client) ContainerWait(ctx context.Context, id, condition string) (api.WaitResult, error) {
	var q url.Values
	if condition != "" {
		q = url.Values{"condition": {condition}}
	}
	return callFor[api.WaitResult](ctx, c, request{method: http.MethodPost, path: "/containers/" + seg(id) + "/wait", query: q})
}

// ContainerRemove removes a stopped container, or a running one (killed
// first) when force.
func (c *Client) ContainerRemove(ctx context.Context, id string, force bool) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/containers/" + seg(id), query: flag("force", force)}, nil)
}

// ContainerResize sets the size of a container's terminal.
func (c *Client) ContainerResize(ctx context.Context, id string, rows, cols uint16) error {
	return c.post(ctx, "/containers/"+seg(id)+"/resize", size(rows, cols))
}

// post calls a route that takes no body and answers nothing.
func (c *Client) post(ctx context.Context, path string, q url.Values) error {
	return c.call(ctx, request{method: http.MethodPost, path: path, query: q}, nil)
}

// seconds is the query t=N, or none when t is nil.
func seconds(t *int) url.Values {
	if t == nil {
		return nil
	}
	return url.Values{"t": {strconv.Itoa(*t)}}
}

// size is the query of the resize routes.
func size(rows, cols uint16) url.Values {
	return url.Values{"h": {strconv.Itoa(int(rows))}, "w": {strconv.Itoa(int(cols))}}
}
