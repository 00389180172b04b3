package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// ContainerTrace streams strace's output for the container's processes to
// w until the container exits or ctx is cancelled. It fails with
// errdefs.ErrUnavailable when strace is not installed on the daemon's host.
func (c *Client) ContainerTrace(ctx context.Context, id string, w io.Writer) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/trace"})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("reading the trace of %s: %w", id, err)
	}
	return nil
}
