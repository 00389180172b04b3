package daemon

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestExecCreateAndStart checks POST /v1/containers/{id}/exec?start=1:
// the exec is created with the body and started on the same connection,
// whose 101 answer names it; a failed create answers its status instead.
func TestExecCreateAndStart(t *testing.T) {
	var started []string
	d := startDaemon(t, Config{Containers: &fakeContainers{
		execCrt: func(_ context.Context, id string, req api.ExecCreate) (string, error) {
			if id != "c1" {
				return "", fmt.Errorf("no such container %s: %w", id, errdefs.ErrNotFound)
			}
			if !slices.Equal(req.Cmd, []string{"cat"}) {
				return "", fmt.Errorf("cmd %q: %w", req.Cmd, errdefs.ErrInvalidArgument)
			}
			return "e9", nil
		},
		execRun: func(_ context.Context, id string, conn io.ReadWriter) error {
			started = append(started, id)
			return echoSession(conn)
		},
	}})
	send := func(path string, extra []byte) (*http.Response, *bufio.Reader) {
		t.Helper()
		c := d.dialRaw(t)
		body := `{"cmd":["cat"],"stdin":true}`
		req := "POST " + path + " HTTP/1.1\r\nHost: daemon\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
			"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
		if _, err := c.Write(append([]byte(req), extra...)); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		return resp, br
	}

	resp, br := send("/v1/containers/c1/exec?start=1", append(frame(t, api.Stdin, []byte("hi")), frame(t, api.CloseStdin, nil)...))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get(api.ExecIDHeader) != "e9" {
		t.Fatalf("answer %d, %s %q; want 101 naming e9", resp.StatusCode, api.ExecIDHeader, resp.Header.Get(api.ExecIDHeader))
	}
	for _, want := range []struct {
		stream byte
		data   string
	}{{api.Stdout, "hi"}, {api.Exit, "\x00\x00\x00\x07"}} {
		s, p, err := api.ReadFrame(br, nil)
		if err != nil || s != want.stream || string(p) != want.data {
			t.Fatalf("frame: stream %d %q %v; want stream %d %q", s, p, err, want.stream, want.data)
		}
	}
	if !slices.Equal(started, []string{"e9"}) {
		t.Errorf("started %q, want the created exec", started)
	}

	resp, _ = send("/v1/containers/ghost/exec?start=1", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("exec in a missing container: status %d, want 404", resp.StatusCode)
	}
	if e := apiError(t, resp); e.Kind != api.KindNotFound {
		t.Fatalf("error %+v", e)
	}
	if len(started) != 1 {
		t.Errorf("a failed create started a session")
	}
}
