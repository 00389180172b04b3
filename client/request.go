package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// request is one call to the daemon.
type request struct {
	method string
	// path follows /v1; its variable segments are escaped by seg.
	path  string
	query url.Values
	// in is marshalled as the JSON body; body is sent as is otherwise.
	in          any
	body        io.Reader
	contentType string
	// upgrade asks for a 101 answer and a raw connection (attach, exec).
	upgrade bool
}

// seg escapes one path segment (image references hold '/' and ':').
func seg(s string) string { return url.PathEscape(s) }

// send performs r and returns the answer, which is 2xx (or 101 when r
// upgrades); any other answer becomes the daemon's error.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + "/" + api.Version + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	body := r.body
	if r.in != nil {
		b, err := json.Marshal(r.in)
		if err != nil {
			return nil, fmt.Errorf("encoding the request to %s: %w", r.path, errInvalid(err))
		}
		body = bytes.NewReader(b)
		r.contentType = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", r.path, errInvalid(err))
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.upgrade {
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "tcp")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, c.connectError(err)
		}
		return nil, fmt.Errorf("calling the daemon at %s: %w", c.host, err)
	}
	switch {
	case r.upgrade && resp.StatusCode == http.StatusSwitchingProtocols:
		return resp, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, decodeError(resp)
	case r.upgrade:
		resp.Body.Close()
		return nil, fmt.Errorf("the daemon answered %s to %s instead of upgrading the connection", resp.Status, r.path)
	}
	return resp, nil
}

// callFor performs r and returns its JSON answer decoded as a T: the body
// of the client's methods that return what the daemon answers.
func callFor[T any](ctx context.Context, c *Client, r request) (T, error) {
	var v T
	err := c.call(ctx, r, &v)
	return v, err
}

// call performs r and decodes the JSON answer into out (when not nil).
func (c *Client) call(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding the daemon's answer to %s %s: %w", r.method, r.path, err)
	}
	return nil
}

// progressLine is one NDJSON line of a progress stream; a failed stream
// may end with a bare api.Error instead of a Progress carrying one.
type progressLine struct {
	api.Progress
	Kind    api.ErrorKind `json:"kind"`
	Message string        `json:"message"`
}

// readProgress reads an NDJSON api.Progress stream, passing every line to
// fn (when not nil), and returns the id of the last line. A line carrying
// an error ends the stream with that error.
func readProgress(r io.Reader, fn func(api.Progress)) (string, error) {
	dec := json.NewDecoder(r)
	id := ""
	for {
		var l progressLine
		if err := dec.Decode(&l); err != nil {
			if errors.Is(err, io.EOF) {
				if id == "" {
					return "", errors.New("the daemon ended the stream without a result")
				}
				return id, nil
			}
			return "", fmt.Errorf("reading the daemon's progress stream: %w", err)
		}
		if l.Error != nil {
			return "", FromAPIError(l.Error)
		}
		if l.Message != "" && l.Kind != "" {
			return "", FromAPIError(&api.Error{Kind: l.Kind, Message: l.Message})
		}
		if l.ID != "" {
			id = l.ID
		}
		if fn != nil {
			fn(l.Progress)
		}
	}
}
