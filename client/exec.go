package client

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// ExecCreate prepares a process to run in a running container and
// returns its exec id.
func (c *Client) ExecCreate(ctx context.Context, containerID string, req api.ExecCreate) (string, error) {
	var v api.ExecCreated
	err := c.call(ctx, request{method: http.MethodPost, path: "/containers/" + seg(containerID) + "/exec", in: req}, &v)
	return v.ID, err
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
