package client

import (
	"context"
	"net/http"
	"net/url"
)

// AttachOptions select the streams of ContainerAttach.
type AttachOptions struct {
	Stdin, Stdout, Stderr bool
	// Logs first replays what the container already wrote.
	Logs bool
	// DetachKeys is the sequence (Docker notation, "ctrl-p,ctrl-q" when
	// empty) with which the daemon ends the session when it reads it in
	// stdin, leaving the container running.
	DetachKeys string
	// Start asks the daemon to start the container once attached, in the
	// same round trip: a failed start is ContainerAttach's error, as
	// ContainerStart's would be. A daemon older than this ignores it:
	// Stream.Started then reports false and the caller starts the
	// container itself.
	Start bool
}

// ContainerAttach connects to a container's stdio. The container may be
// created but not started yet: attaching before the start loses no
// output. The stream ends with an Exit frame when the container exits.
func (c *Client) ContainerAttach(ctx context.Context, id string, opts AttachOptions) (*Stream, error) {
	q := url.Values{}
	for k, v := range map[string]bool{"stdin": opts.Stdin, "stdout": opts.Stdout, "stderr": opts.Stderr, "logs": opts.Logs, "start": opts.Start} {
		if v {
			q.Set(k, "1")
		}
	}
	if opts.DetachKeys != "" {
		q.Set("detachKeys", opts.DetachKeys)
	}
	return c.upgrade(ctx, "/containers/"+seg(id)+"/attach", q)
}

// upgrade POSTs to path asking for the connection upgrade of attach and
// exec, and returns the raw connection as a Stream.
func (c *Client) upgrade(ctx context.Context, path string, q url.Values) (*Stream, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: path, query: q, upgrade: true})
	if err != nil {
		return nil, err
	}
	return newStream(ctx, resp)
}
