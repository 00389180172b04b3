package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// sendTruncated writes a request whose head announces more body than it
// sends, half-closes the connection (the client is done sending but
// still reads) and returns the answer.
func sendTruncated(t *testing.T, d *testDaemon, head, body string) (*http.Response, api.Error) {
	t.Helper()
	c := d.dialRaw(t)
	if _, err := io.WriteString(c, head+body); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.UnixConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	var e api.Error
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("the %d answer's body %q: %v", resp.StatusCode, b, err)
		}
	}
	return resp, e
}

// TestTruncatedBodyIs400 sends bodies shorter than their Content-Length
// (or cut before the last chunk) and half-closes: every route that reads
// the body answers 400 with a message saying the body was cut short (it
// answered an empty 200 before), and no service acts on a partial request.
func TestTruncatedBodyIs400(t *testing.T) {
	var created, imported atomic.Int32
	d := startDaemon(t, Config{
		Containers: &fakeContainers{create: func(context.Context, api.ContainerCreate) (api.ContainerCreated, error) {
			created.Add(1)
			return api.ContainerCreated{ID: "c1"}, nil
		}},
		Images: &fakeImages{
			imp: func(_ context.Context, r io.Reader, _ string, _ io.Writer) (string, error) {
				// As the store does: it reads the tar to its end, and a
				// read error fails the import.
				if _, err := io.ReadAll(r); err != nil {
					return "", err
				}
				imported.Add(1)
				return "sha256:1", nil
			},
			build: func(context.Context, api.BuildRequest, io.Writer) (string, error) {
				t.Error("build called with a truncated request")
				return "", nil
			},
		},
	})
	post := func(path string, length int) string {
		return "POST " + path + " HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: " + itoa(length) + "\r\n\r\n"
	}
	for name, tc := range map[string]struct {
		head, body, want string
	}{
		"JSON cut mid-object":     {post("/v1/containers", 200), `{"image":"busybox"`, "ended after 18 of the 200 bytes"},
		"JSON whole, length more": {post("/v1/containers", 200), `{"image":"busybox"}`, "ended after 19 of the 200 bytes"},
		"build":                   {post("/v1/build", 100), `{"dockerfile":"/src/Dockerfile"}`, "ended after 32 of the 100 bytes"},
		"no body at all":          {post("/v1/images/busybox/tag", 50), ``, "ended after 0 of the 50 bytes"},
		"import stream":           {post("/v1/images/import", 1000), strings.Repeat("t", 10), "ended after 10 of the 1000 bytes"},
		"chunked JSON": {"POST /v1/containers HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n",
			"12\r\n{\"image\":\"busybox\"\r\n", "before its last chunk"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, e := sendTruncated(t, d, tc.head, tc.body)
			if resp.StatusCode != http.StatusBadRequest || e.Kind != api.KindInvalidArgument || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("got %d %+v, want 400 invalid_argument with %q", resp.StatusCode, e, tc.want)
			}
		})
	}
	if n := created.Load(); n != 0 {
		t.Errorf("%d containers created from truncated requests", n)
	}
	if n := imported.Load(); n != 0 {
		t.Errorf("%d imports from truncated bodies", n)
	}

	// The same request, whole and half-closed, still succeeds.
	body := `{"image":"busybox"}`
	resp, e := sendTruncated(t, d, post("/v1/containers", len(body)), body)
	if resp.StatusCode != http.StatusCreated || created.Load() != 1 {
		t.Errorf("a whole body: got %d %+v, %d creates", resp.StatusCode, e, created.Load())
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
