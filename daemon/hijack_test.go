package daemon

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// echoSession is a fake attach/exec session: it echoes stdin frames as
// stdout, answers a resize frame with a stderr line, and on CloseStdin
// writes the exit frame (code 7).
func echoSession(conn io.ReadWriter) error {
	var buf []byte
	for {
		stream, p, err := api.ReadFrame(conn, buf)
		if err != nil {
			return err
		}
		switch stream {
		case api.Stdin:
			if err := api.WriteFrame(conn, api.Stdout, p); err != nil {
				return err
			}
		case api.Resize:
			msg := fmt.Sprintf("%dx%d", binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]))
			if err := api.WriteFrame(conn, api.Stderr, []byte(msg)); err != nil {
				return err
			}
		case api.CloseStdin:
			var code [4]byte
			binary.BigEndian.PutUint32(code[:], 7)
			return api.WriteFrame(conn, api.Exit, code[:])
		}
	}
}

func TestHijackRoundTrip(t *testing.T) {
	var gotOpts AttachOptions
	d := startDaemon(t, Config{Containers: &fakeContainers{
		attach: func(_ context.Context, id string, o AttachOptions, conn io.ReadWriter) error {
			if id != "c1" {
				return fmt.Errorf("no such container %s: %w", id, errdefs.ErrNotFound)
			}
			gotOpts = o
			return echoSession(conn)
		},
		execRun: func(_ context.Context, id string, conn io.ReadWriter) error {
			return echoSession(conn)
		},
	}})
	for _, path := range []string{"/v1/containers/c1/attach?stdin=1&stdout=1&detachKeys=ctrl-x", "/v1/exec/e1/start"} {
		t.Run(path, func(t *testing.T) {
			c := d.dialRaw(t)
			// The first frame travels in the same write as the request:
			// it sits in the server's read buffer at the hijack.
			resp, br := upgrade(t, c, path, frame(t, api.Stdin, []byte("early")))
			if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "tcp" {
				t.Fatalf("answer %d, Upgrade %q", resp.StatusCode, resp.Header.Get("Upgrade"))
			}
			var size [4]byte
			binary.BigEndian.PutUint16(size[:], 24)
			binary.BigEndian.PutUint16(size[2:], 80)
			for _, f := range [][]byte{frame(t, api.Stdin, []byte("hello")), frame(t, api.Resize, size[:]), frame(t, api.CloseStdin, nil)} {
				if _, err := c.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			want := []struct {
				stream byte
				data   string
			}{{api.Stdout, "early"}, {api.Stdout, "hello"}, {api.Stderr, "24x80"}, {api.Exit, "\x00\x00\x00\x07"}}
			for _, w := range want {
				s, p, err := api.ReadFrame(br, nil)
				if err != nil || s != w.stream || string(p) != w.data {
					t.Fatalf("frame: stream %d %q %v; want stream %d %q", s, p, err, w.stream, w.data)
				}
			}
			// The daemon closes the connection after the session.
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("after the exit frame: %v, want EOF", err)
			}
		})
	}
	if !gotOpts.Stdin || !gotOpts.Stdout || gotOpts.Stderr || gotOpts.DetachKeys != "ctrl-x" {
		t.Fatalf("attach options %+v", gotOpts)
	}
}

// A session that fails before using the connection answers with a status
// and an api.Error, not a 101.
func TestHijackErrorBeforeUpgrade(t *testing.T) {
	d := startDaemon(t, Config{Containers: &fakeContainers{
		attach: func(_ context.Context, id string, _ AttachOptions, _ io.ReadWriter) error {
			return fmt.Errorf("no such container %s: %w", id, errdefs.ErrNotFound)
		},
	}})
	c := d.dialRaw(t)
	resp, _ := upgrade(t, c, "/v1/containers/ghost/attach", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
	if e := apiError(t, resp); e.Kind != api.KindNotFound {
		t.Fatalf("error %+v", e)
	}
}

// A client that vanishes mid-session ends the service's call.
func TestHijackClientVanishes(t *testing.T) {
	ended := make(chan error, 1)
	d := startDaemon(t, Config{Containers: &fakeContainers{
		attach: func(_ context.Context, _ string, _ AttachOptions, conn io.ReadWriter) error {
			err := echoSession(conn)
			ended <- err
			return err
		},
	}})
	c := d.dialRaw(t)
	_, br := upgrade(t, c, "/v1/containers/c1/attach", frame(t, api.Stdin, []byte("x")))
	if _, _, err := api.ReadFrame(br, nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-ended; err == nil {
		t.Fatal("the session ended without an error after its client left")
	}
}

// A session that panics after the upgrade has its connection closed, and
// the daemon goes on.
func TestHijackPanicClosesConnection(t *testing.T) {
	d := startDaemon(t, Config{Containers: &fakeContainers{
		attach: func(_ context.Context, _ string, _ AttachOptions, conn io.ReadWriter) error {
			api.WriteFrame(conn, api.Stdout, []byte("before"))
			panic("session bug")
		},
		start: func(context.Context, string) error { return nil },
	}})
	c := d.dialRaw(t)
	resp, br := upgrade(t, c, "/v1/containers/c1/attach", nil)
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, p, err := api.ReadFrame(br, nil); err != nil || string(p) != "before" {
		t.Fatalf("frame %q, %v", p, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("after the panic: %v, want the connection closed", err)
	}
	if resp := d.do(t, "POST", "/v1/containers/c1/start", nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the panic: status %d", resp.StatusCode)
	}
}
