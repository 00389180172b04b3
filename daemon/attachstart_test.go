package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestAttachStart checks attach?start=1: the container is started once
// the session uses its connection (the client is registered for the
// output), the 101 says so, and a failed start is the answer's status
// with start's message, without a 101. Without start=1, attach starts
// nothing and the 101 has no such header.
func TestAttachStart(t *testing.T) {
	cases := []struct {
		name     string
		query    string
		startErr error
		status   int
		started  bool // the 101 reports the start
		starts   int32
	}{
		{name: "start", query: "?start=1", status: http.StatusSwitchingProtocols, started: true, starts: 1},
		{name: "no start", query: "", status: http.StatusSwitchingProtocols, starts: 0},
		{name: "start fails", query: "?start=1",
			startErr: fmt.Errorf("process.args[0] \"nope\": executable file not found in $PATH: %w", errdefs.ErrInvalidArgument),
			status:   http.StatusBadRequest, starts: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var registered, starts atomic.Int32
			d := startDaemon(t, Config{Containers: &fakeContainers{
				attach: func(_ context.Context, id string, _ AttachOptions, conn io.ReadWriter) error {
					registered.Store(1)
					if err := api.WriteFrame(conn, api.Stdout, []byte("out")); err != nil {
						return nil // the start failed: the session ends
					}
					var code [4]byte
					return api.WriteFrame(conn, api.Exit, code[:])
				},
				start: func(_ context.Context, id string) error {
					starts.Add(1)
					if id != "c1" || registered.Load() != 1 {
						t.Errorf("start of %q before the attach was registered", id)
					}
					return tc.startErr
				},
			}})
			resp, br := upgrade(t, d.dialRaw(t), "/v1/containers/c1/attach"+tc.query, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get(api.StartedHeader) == "1"; got != tc.started {
				t.Errorf("%s header %q, want started %v", api.StartedHeader, resp.Header.Get(api.StartedHeader), tc.started)
			}
			if n := starts.Load(); n != tc.starts {
				t.Errorf("%d starts, want %d", n, tc.starts)
			}
			if tc.startErr != nil {
				if e := apiError(t, resp); e.Kind != api.KindInvalidArgument || e.Message != tc.startErr.Error() {
					t.Errorf("error %+v, want the start's", e)
				}
				return
			}
			if s, p, err := api.ReadFrame(br, nil); err != nil || s != api.Stdout || string(p) != "out" {
				t.Fatalf("frame %d %q %v, want the output", s, p, err)
			}
		})
	}
}

// TestAttachStartAfterSessionEnd checks that a session that ended before
// using its connection starts nothing when a late read comes in.
func TestAttachStartAfterSessionEnd(t *testing.T) {
	starts := 0
	a := &attachStart{start: func() error { starts++; return nil }}
	if tried, err := a.end(); tried || err != nil {
		t.Fatalf("end before any start: tried %v, %v", tried, err)
	}
	if err := a.run(); !errors.Is(err, errSessionOver) || starts != 0 {
		t.Fatalf("a start after the end: %v, %d starts", err, starts)
	}
}
