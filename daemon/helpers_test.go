package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// testDaemon is a Server listening on a UNIX socket in a temp dir.
type testDaemon struct {
	srv    *Server
	socket string
	client *http.Client
}

// shortTempDir returns a temp dir with a path short enough for a UNIX
// socket (108 bytes), removed at the end of the test.
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "crd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startDaemon serves cfg on a fresh socket until the test ends.
func startDaemon(t testing.TB, cfg Config) *testDaemon {
	t.Helper()
	if cfg.Containers == nil {
		cfg.Containers = &fakeContainers{}
	}
	if cfg.Images == nil {
		cfg.Images = &fakeImages{}
	}
	socket := filepath.Join(shortTempDir(t), "d.sock")
	l, err := ListenUnix(socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(cfg)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testDaemon{srv: srv, socket: socket, client: unixClient(socket)}
}

// unixClient is an HTTP client that dials socket whatever the URL's host.
func unixClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
}

// do sends a request with body (a string, or nil) and returns the answer.
func (d *testDaemon) do(t testing.TB, method, path string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://daemon"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// apiError decodes an error answer.
func apiError(t testing.TB, resp *http.Response) api.Error {
	t.Helper()
	var e api.Error
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("decoding the error body of a %d answer: %v", resp.StatusCode, err)
	}
	return e
}

// decodeBody decodes a JSON answer into v.
func decodeBody(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decoding the answer: %v", err)
	}
}

// dialRaw opens a raw connection to the daemon.
func (d *testDaemon) dialRaw(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", d.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// upgrade sends an upgrade request for path on c, with extra bytes right
// behind it, and reads the answer.
func upgrade(t testing.TB, c net.Conn, path string, extra []byte) (*http.Response, *bufio.Reader) {
	t.Helper()
	req := "POST " + path + " HTTP/1.1\r\nHost: daemon\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write(append([]byte(req), extra...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the upgrade answer: %v", err)
	}
	return resp, br
}

// frame encodes one frame.
func frame(t testing.TB, stream byte, p []byte) []byte {
	t.Helper()
	var b strings.Builder
	if err := api.WriteFrame(&b, stream, p); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

// loggerFrom is logctx.From, as a service would call it.
func loggerFrom(ctx context.Context) *slog.Logger { return logctx.From(ctx) }

// decodeJSONResp decodes a JSON answer, returning the error.
func decodeJSONResp(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}
