package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// rawClient is a plain net/http client of d's socket, for requests the
// client package would never send.
func rawClient(d *daemon.Daemon) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var dl net.Dialer
				return dl.DialContext(ctx, "unix", d.Socket)
			},
		},
	}
}

// TestBadRequests sends malformed requests straight to the socket: each
// gets a 4xx with an api.Error naming the problem, and the daemon keeps
// serving, even while a client hangs halfway through a request.
func TestBadRequests(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	hc := rawClient(d)

	// A client that sends half a request and then nothing must not block
	// the others.
	stuck, err := net.Dial("unix", d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	fmt.Fprintf(stuck, "POST /v1/containers HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n{\"image\":")

	huge := `{"image":"` + img + `","env":["A=` + strings.Repeat("x", 2<<20) + `"]}`
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     []string // in the message
	}{
		{"malformed JSON", "POST", "/v1/containers", `{"image": "busybox",`, 400, []string{"JSON"}},
		{"not JSON", "POST", "/v1/containers", `image=busybox`, 400, []string{"JSON"}},
		{"empty body", "POST", "/v1/containers", ``, 400, nil},
		{"two objects", "POST", "/v1/containers", `{"image":"busybox"}{"image":"busybox"}`, 400, nil},
		{"unknown field", "POST", "/v1/containers", `{"imgae":"busybox"}`, 400, []string{"imgae"}},
		{"unknown nested field", "POST", "/v1/containers", `{"image":"busybox","resources":{"memroy":1}}`, 400, []string{"memroy"}},
		{"wrong type", "POST", "/v1/containers", `{"image":"busybox","resources":{"memory":"lots"}}`, 400, []string{"memory"}},
		{"wrong type top level", "POST", "/v1/containers", `{"image":42}`, 400, []string{"image"}},
		{"wrong type array", "POST", "/v1/containers", `{"image":"busybox","cmd":"echo hi"}`, 400, []string{"cmd"}},
		{"huge body", "POST", "/v1/containers", huge, 413, []string{"larger than"}},
		{"missing image", "POST", "/v1/containers", `{"name":"x"}`, 400, []string{"image"}},
		{"bad query parameter", "POST", "/v1/containers/nosuch/stop?t=soon", ``, 400, []string{"t="}},
		{"bad exec body", "POST", "/v1/containers/nosuch/exec", `{"cmd":[1,2]}`, 400, []string{"cmd"}},
		{"bad build body", "POST", "/v1/build", `{"dockerfile":5}`, 400, []string{"dockerfile"}},
		{"no such container", "GET", "/v1/containers/nosuch", ``, 404, []string{"nosuch"}},
		{"no such route", "GET", "/v1/nosuch", ``, 404, nil},
		{"wrong method", "DELETE", "/v1/_ping", ``, 405, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://daemon"+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s: status %d, want %d; body %s", tt.method, tt.path, resp.StatusCode, tt.status, b)
			}
			var e api.Error
			if err := json.Unmarshal(b, &e); err != nil || e.Message == "" || e.Kind == "" {
				t.Fatalf("%s %s: body %q is not an api.Error with a kind and a message (%v)", tt.method, tt.path, b, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("%s %s: message %q does not name %q", tt.method, tt.path, e.Message, w)
				}
			}
			// Still serving.
			if resp, err := hc.Get("http://daemon/v1/_ping"); err != nil || resp.StatusCode != 200 {
				t.Fatalf("the daemon stopped answering after %s: %v", tt.name, err)
			} else {
				resp.Body.Close()
			}
		})
	}

	// A request line that is not HTTP at all gets a 400 too.
	c, err := net.Dial("unix", d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "HELLO THERE\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if !strings.Contains(line, " 400 ") {
		t.Errorf("garbage request got %q, want a 400 status line", line)
	}

	// Nothing was created by the bad requests, and containers still run.
	if out := d.OK(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("bad requests created containers:\n%s", out)
	}
	if r := d.Run(t, "run", "--rm", img, "echo", "still serving"); r.Code != 0 || r.Stdout != "still serving\n" {
		t.Errorf("a good run after the bad requests: %v", r)
	}
}
