package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// LogsOptions select what ContainerLogs returns.
type LogsOptions struct {
	// Follow keeps the stream open for new output.
	Follow bool
	// Tail is the number of lines from the end to show; "" or "all" shows
	// everything.
	Tail string
	// Timestamps prefixes every line with its time.
	Timestamps bool
	// Since shows only lines since a time (RFC 3339, unix seconds, or a
	// duration such as 10m before now).
	Since string
	// Until shows only lines before a time (same forms as Since).
	Until string
	// Stdout and Stderr select the streams; both when neither is set.
	Stdout, Stderr bool
}

// ContainerLogs writes a container's logged output to stdout and stderr
// (from its log files, even after it exited) until the logs end or, with
// Follow, until the container exits or ctx is cancelled.
func (c *Client) ContainerLogs(ctx context.Context, id string, opts LogsOptions, stdout, stderr io.Writer) error {
	q := url.Values{}
	if opts.Follow {
		q.Set("follow", "1")
	}
	if opts.Tail != "" && opts.Tail != "all" {
		q.Set("tail", opts.Tail)
	}
	if opts.Timestamps {
		q.Set("timestamps", "1")
	}
	if opts.Since != "" {
		q.Set("since", opts.Since)
	}
	if opts.Until != "" {
		q.Set("until", opts.Until)
	}
	if !opts.Stdout && !opts.Stderr {
		opts.Stdout, opts.Stderr = true, true
	}
	if opts.Stdout {
		q.Set("stdout", "1")
	}
	if opts.Stderr {
		q.Set("stderr", "1")
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/logs", query: q})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _, err = demux(resp.Body, stdout, stderr)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// demux copies frames from r to stdout and stderr until an Exit frame or
// the end of r. exited reports whether an Exit frame came, with its code.
func demux(r io.Reader, stdout, stderr io.Writer) (code int, exited bool, err error) {
	var buf []byte
	for {
		stream, p, err := api.ReadFrame(r, buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, false, nil
			}
			return 0, false, fmt.Errorf("reading the daemon's stream: %w", err)
		}
		buf = p[:0]
		var w io.Writer
		switch stream {
		case api.Stdout:
			w = stdout
		case api.Stderr:
			w = stderr
		case api.Exit:
			c, err := api.ParseExit(p)
			return c, err == nil, err
		default:
			continue // unknown control frames are skipped
		}
		if w == nil {
			continue
		}
		if _, err := w.Write(p); err != nil {
			return 0, false, fmt.Errorf("writing a container's output: %w", err)
		}
	}
}
