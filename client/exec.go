package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// ExecCreate prepares a process to run in a running container and
// returns its exec id.
func (c *Client) ExecCreate(ctx context.Context, containerID string, req api.ExecCreate) (string, error) {
	var v api.ExecCreated
	err := c.call(ctx, request{method: http.MethodPost, path: "/containers/" + seg(containerID) + "/exec", in: req}, &v)
	return v.ID, err
}

// ExecRun creates an exec and starts it, in one request: what ExecCreate
// then ExecStart do, less a round trip. It returns the exec's id and the
// stream, which ends with an Exit frame when the process exits.
func (c *Client) ExecRun(ctx context.Context, containerID string, req api.ExecCreate) (string, *Stream, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/containers/" + seg(containerID) + "/exec",
		query: url.Values{"start": {"1"}}, in: req, upgrade: true})
	if err != nil {
		return "", nil, err
	}
	id := resp.Header.Get(api.ExecIDHeader)
	stream, err := newStream(ctx, resp)
	return id, stream, err
}

// ExecStart starts a created exec and connects to its stdio. The stream
// ends with an Exit frame when the process exits.
func (c *Client) ExecStart(ctx context.Context, execID string) (*Stream, error) {
	return c.upgrade(ctx, "/exec/"+seg(execID)+"/start", nil)
}

// ExecResize sets the size of an exec's terminal.
func (c *Client) ExecResize(ctx context.Context, execID string, rows, cols uint16) error {
	return c.post(ctx, "/exec/"+seg(execID)+"/resize", size(rows, cols))
}

// ExecInspect describes an exec: whether it runs, its pid and exit code.
func (c *Client) ExecInspect(ctx context.Context, execID string) (api.ExecInspect, error) {
	return callFor[api.ExecInspect](ctx, c, request{method: http.MethodGet, path: "/exec/" + seg(execID)})
}
