package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func ptr[T any](v T) *T { return &v }

// TestRoutes checks that every method calls its route with the right
// method, path, query and body, and decodes the answer.
func TestRoutes(t *testing.T) {
	type check func(t *testing.T, c *Client) (any, error)
	cases := []struct {
		name      string
		call      check
		method    string
		path      string // escaped
		query     string // encoded, sorted
		body      string // JSON the daemon must receive ("" for none)
		status    int
		answer    string
		want      any // what call returns, compared with DeepEqual (nil: not compared)
		noContent bool
	}{
		{name: "ping", method: "GET", path: "/v1/_ping", answer: "OK",
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.Ping(t.Context()) }},
		{name: "version", method: "GET", path: "/v1/version", answer: `{"version":"1.2","apiVersion":"v1"}`,
			want: api.VersionInfo{Version: "1.2", APIVersion: "v1"},
			call: func(t *testing.T, c *Client) (any, error) { return c.Version(t.Context()) }},
		{name: "info", method: "GET", path: "/v1/info", answer: `{"containers":3,"images":2}`,
			want: api.Info{Containers: 3, Images: 2},
			call: func(t *testing.T, c *Client) (any, error) { return c.Info(t.Context()) }},
		{name: "df", method: "GET", path: "/v1/system/df", answer: `{"imagesSize":10}`,
			want: api.DiskUsage{ImagesSize: 10},
			call: func(t *testing.T, c *Client) (any, error) { return c.DiskUsage(t.Context()) }},
		{name: "system prune", method: "POST", path: "/v1/system/prune", answer: `{"deleted":["a"],"spaceReclaimed":5}`,
			want: api.PruneReport{Deleted: []string{"a"}, SpaceReclaimed: 5},
			call: func(t *testing.T, c *Client) (any, error) { return c.SystemPrune(t.Context(), false, false) }},
		{name: "images", method: "GET", path: "/v1/images", answer: `[{"id":"sha256:ab","names":["base:latest"],"size":7}]`,
			want: []api.ImageSummary{{ID: "sha256:ab", Names: []string{"base:latest"}, Size: 7}},
			call: func(t *testing.T, c *Client) (any, error) { return c.Images(t.Context()) }},
		{name: "image inspect escapes the reference", method: "GET", path: "/v1/images/reg.io%2Fa%2Fb:1",
			answer: `{"id":"sha256:ab","os":"linux"}`,
			want:   api.ImageInspect{ImageSummary: api.ImageSummary{ID: "sha256:ab"}, OS: "linux"},
			call:   func(t *testing.T, c *Client) (any, error) { return c.ImageInspect(t.Context(), "reg.io/a/b:1") }},
		{name: "image history", method: "GET", path: "/v1/images/base/history", answer: `[{"createdBy":"RUN x"}]`,
			want: []api.HistoryEntry{{CreatedBy: "RUN x"}},
			call: func(t *testing.T, c *Client) (any, error) { return c.ImageHistory(t.Context(), "base") }},
		{name: "image tag", method: "POST", path: "/v1/images/base/tag", body: `{"name":"other:1"}`, status: 201,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ImageTag(t.Context(), "base", "other:1") }},
		{name: "image remove", method: "DELETE", path: "/v1/images/base", query: "force=1", answer: `["base:latest"]`,
			want: []string{"base:latest"},
			call: func(t *testing.T, c *Client) (any, error) { return c.ImageRemove(t.Context(), "base", true) }},
		{name: "image prune", method: "POST", path: "/v1/images/prune", query: "all=1", answer: `{"spaceReclaimed":1}`,
			want: api.PruneReport{SpaceReclaimed: 1},
			call: func(t *testing.T, c *Client) (any, error) { return c.ImagePrune(t.Context(), true) }},
		{name: "container create", method: "POST", path: "/v1/containers", status: 201,
			body:   `{"name":"web","image":"base","cmd":["sleep","1"],"network":"host","resources":{},"restartPolicy":{},"autoRemove":true,"log":{}}`,
			answer: `{"id":"c1"}`, want: api.ContainerCreated{ID: "c1"},
			call: func(t *testing.T, c *Client) (any, error) {
				return c.ContainerCreate(t.Context(), api.ContainerCreate{Name: "web", Image: "base",
					Cmd: []string{"sleep", "1"}, Network: "host", AutoRemove: true})
			}},
		{name: "network create", method: "POST", path: "/v1/networks", status: 201,
			body:   `{"name":"front","subnet":"10.80.0.0/24"}`,
			answer: `{"id":"n1","name":"front","driver":"bridge","subnet":"10.80.0.0/24"}`,
			want:   api.Network{ID: "n1", Name: "front", Driver: "bridge", Subnet: "10.80.0.0/24"},
			call: func(t *testing.T, c *Client) (any, error) {
				return c.NetworkCreate(t.Context(), api.NetworkCreate{Name: "front", Subnet: "10.80.0.0/24"})
			}},
		{name: "network list", method: "GET", path: "/v1/networks", answer: `[{"id":"host","name":"host","driver":"host"}]`,
			want: []api.Network{{ID: "host", Name: "host", Driver: "host"}},
			call: func(t *testing.T, c *Client) (any, error) { return c.NetworkList(t.Context()) }},
		{name: "network inspect", method: "GET", path: "/v1/networks/front",
			answer: `{"id":"n1","name":"front","containers":[{"containerId":"c1","ipAddress":"10.80.0.2","ports":[{"hostPort":8080,"containerPort":80,"proto":"tcp"}]}]}`,
			want: api.Network{ID: "n1", Name: "front", Containers: []api.NetworkEndpoint{{ContainerID: "c1", IPAddress: "10.80.0.2",
				Ports: []api.PortBinding{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}}}},
			call: func(t *testing.T, c *Client) (any, error) { return c.NetworkInspect(t.Context(), "front") }},
		{name: "network remove", method: "DELETE", path: "/v1/networks/front", status: 204, noContent: true,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.NetworkRemove(t.Context(), "front") }},
		{name: "container list", method: "GET", path: "/v1/containers", answer: `[{"id":"c1","name":"web"}]`,
			want: []api.ContainerSummary{{ID: "c1", Name: "web"}},
			call: func(t *testing.T, c *Client) (any, error) { return c.ContainerList(t.Context(), false) }},
		{name: "container list all", method: "GET", path: "/v1/containers", query: "all=1", answer: `[]`,
			want: []api.ContainerSummary{},
			call: func(t *testing.T, c *Client) (any, error) { return c.ContainerList(t.Context(), true) }},
		{name: "container list with filters", method: "GET", path: "/v1/containers",
			query: "filters=%7B%22status%22%3A%5B%22exited%22%5D%7D&limit=1&size=1", answer: `[]`,
			want: []api.ContainerSummary{},
			call: func(t *testing.T, c *Client) (any, error) {
				return c.ContainerListWith(t.Context(), api.ContainerListOptions{Limit: 1, Size: true, Filters: map[string][]string{"status": {"exited"}}})
			}},
		{name: "image list with filters", method: "GET", path: "/v1/images",
			query: "all=1&filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D", answer: `[]`,
			want: []api.ImageSummary{},
			call: func(t *testing.T, c *Client) (any, error) {
				return c.ImageListWith(t.Context(), api.ImageListOptions{All: true, Filters: map[string][]string{"dangling": {"true"}}})
			}},
		{name: "rename", method: "POST", path: "/v1/containers/web/rename", query: "name=front", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerRename(t.Context(), "web", "front") }},
		{name: "top", method: "GET", path: "/v1/containers/web/top", query: "ps_args=-o+pid", answer: `{"Titles":["PID"],"Processes":[["1"]]}`,
			want: api.ContainerTop{Titles: []string{"PID"}, Processes: [][]string{{"1"}}},
			call: func(t *testing.T, c *Client) (any, error) { return c.ContainerTop(t.Context(), "web", "-o pid") }},
		{name: "container inspect", method: "GET", path: "/v1/containers/web", answer: `{"id":"c1","stateDetail":{"pid":42}}`,
			want: api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c1"}, StateDetail: api.ContainerState{Pid: 42}},
			call: func(t *testing.T, c *Client) (any, error) { return c.ContainerInspect(t.Context(), "web") }},
		{name: "start", method: "POST", path: "/v1/containers/web/start", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerStart(t.Context(), "web") }},
		{name: "stop default", method: "POST", path: "/v1/containers/web/stop", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerStop(t.Context(), "web", nil) }},
		{name: "stop timeout", method: "POST", path: "/v1/containers/web/stop", query: "t=3", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerStop(t.Context(), "web", ptr(3)) }},
		{name: "restart", method: "POST", path: "/v1/containers/web/restart", query: "t=0", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerRestart(t.Context(), "web", ptr(0)) }},
		{name: "kill", method: "POST", path: "/v1/containers/web/kill", query: "signal=SIGINT", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerKill(t.Context(), "web", "SIGINT") }},
		{name: "pause", method: "POST", path: "/v1/containers/web/pause", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerPause(t.Context(), "web") }},
		{name: "unpause", method: "POST", path: "/v1/containers/web/unpause", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerUnpause(t.Context(), "web") }},
		{name: "wait", method: "POST", path: "/v1/containers/web/wait", query: "condition=removed", answer: `{"statusCode":3}`,
			want: api.WaitResult{StatusCode: 3},
			call: func(t *testing.T, c *Client) (any, error) { return c.ContainerWait(t.Context(), "web", WaitRemoved) }},
		{name: "remove", method: "DELETE", path: "/v1/containers/web", query: "force=1", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerRemove(t.Context(), "web", true) }},
		{name: "resize", method: "POST", path: "/v1/containers/web/resize", query: "h=24&w=80", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ContainerResize(t.Context(), "web", 24, 80) }},
		{name: "exec create", method: "POST", path: "/v1/containers/web/exec", status: 201,
			body: `{"cmd":["ls"],"tty":true}`, answer: `{"id":"e1"}`, want: "e1",
			call: func(t *testing.T, c *Client) (any, error) {
				return c.ExecCreate(t.Context(), "web", api.ExecCreate{Cmd: []string{"ls"}, Tty: true})
			}},
		{name: "exec resize", method: "POST", path: "/v1/exec/e1/resize", query: "h=5&w=6", status: 204,
			call: func(t *testing.T, c *Client) (any, error) { return nil, c.ExecResize(t.Context(), "e1", 5, 6) }},
		{name: "exec inspect", method: "GET", path: "/v1/exec/e1", answer: `{"id":"e1","exitCode":2}`,
			want: api.ExecInspect{ID: "e1", ExitCode: ptr(2)},
			call: func(t *testing.T, c *Client) (any, error) { return c.ExecInspect(t.Context(), "e1") }},
		{name: "trace", method: "GET", path: "/v1/containers/web/trace", answer: "write(1, \"hi\", 2) = 2\n",
			want: "write(1, \"hi\", 2) = 2\n",
			call: func(t *testing.T, c *Client) (any, error) {
				var b strings.Builder
				err := c.ContainerTrace(t.Context(), "web", &b)
				return b.String(), err
			}},
		{name: "export", method: "GET", path: "/v1/images/base/export", answer: "TARDATA", want: "TARDATA",
			call: func(t *testing.T, c *Client) (any, error) {
				var b strings.Builder
				err := c.ImageExport(t.Context(), "base", &b)
				return b.String(), err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tc.method {
					t.Errorf("method %s, want %s", r.Method, tc.method)
				}
				if got := r.URL.EscapedPath(); got != tc.path {
					t.Errorf("path %s, want %s", got, tc.path)
				}
				if got := r.URL.Query().Encode(); got != tc.query {
					t.Errorf("query %q, want %q", got, tc.query)
				}
				body, _ := io.ReadAll(r.Body)
				if string(body) != tc.body {
					t.Errorf("body %s, want %s", body, tc.body)
				}
				if tc.body != "" && r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
				}
				status := tc.status
				if status == 0 {
					status = 200
				}
				w.WriteHeader(status)
				io.WriteString(w, tc.answer)
			}))
			got, err := tc.call(t, c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestErrorKinds checks that the daemon's errors come back as the errdefs
// sentinel of their kind, with the daemon's message as text.
func TestErrorKinds(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   error
		msg    string
	}{
		{404, `{"kind":"not_found","message":"no such container: web"}`, errdefs.ErrNotFound, "no such container: web"},
		{409, `{"kind":"already_exists","message":"name web is in use"}`, errdefs.ErrAlreadyExists, "name web is in use"},
		{409, `{"kind":"conflict","message":"container web is running"}`, errdefs.ErrConflict, "container web is running"},
		{400, `{"kind":"invalid_argument","message":"unknown field \"x\""}`, errdefs.ErrInvalidArgument, `unknown field "x"`},
		{503, `{"kind":"unavailable","message":"strace is not installed"}`, errdefs.ErrUnavailable, "strace is not installed"},
		{501, `{"kind":"not_implemented","message":"configured logging driver does not support reading"}`, errdefs.ErrNotImplemented, "configured logging driver does not support reading"},
		{501, "not implemented", errdefs.ErrNotImplemented, "not implemented"},
		{500, `{"kind":"internal","message":"boom"}`, nil, "boom"},
		// Bodies that are not api.Error fall back on the status.
		{404, "404 page not found\n", errdefs.ErrNotFound, "404 page not found"},
		{413, "", errdefs.ErrInvalidArgument, "the daemon answered 413 Request Entity Too Large"},
	}
	for _, tc := range cases {
		t.Run(tc.msg, func(t *testing.T) {
			c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			_, err := c.ContainerInspect(t.Context(), "web")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.msg {
				t.Errorf("message %q, want %q", err, tc.msg)
			}
			for _, s := range []error{errdefs.ErrNotFound, errdefs.ErrAlreadyExists, errdefs.ErrConflict,
				errdefs.ErrInvalidArgument, errdefs.ErrUnavailable} {
				if errors.Is(err, s) != (s == tc.want) {
					t.Errorf("errors.Is(err, %v) = %v", s, errors.Is(err, s))
				}
			}
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Message != tc.msg {
				t.Errorf("errors.As(*api.Error) = %v", ae)
			}
		})
	}
}

// TestDaemonNotRunning checks the message for a missing socket and for a
// socket nobody listens on.
func TestDaemonNotRunning(t *testing.T) {
	dir, err := os.MkdirTemp("", "crt-client")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	for name, sock := range map[string]string{"missing": filepath.Join(dir, "none.sock"), "refused": stale} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Options{Host: "unix://" + sock})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Version(t.Context())
			if !errors.Is(err, errdefs.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			for _, want := range []string{"not running", sock, "sudo container-runtimed &", "systemctl start container-runtimed"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
		})
	}
}

func TestNewHosts(t *testing.T) {
	cases := []struct {
		host    string
		wantErr bool
	}{
		{"", false},
		{"unix:///tmp/x.sock", false},
		{"/tmp/x.sock", false},
		{"tcp://127.0.0.1:2376", true}, // no TLS: refused, as the daemon refuses plain TCP
		{"http://127.0.0.1:2375", true},
		{"unix://", true},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			c, err := New(Options{Host: tc.host})
			if (err != nil) != tc.wantErr {
				t.Fatalf("New(%q) err = %v, want error %v", tc.host, err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("err = %v, want ErrInvalidArgument", err)
			}
			if err == nil && tc.host == "" && c.Host() != DefaultHost {
				t.Errorf("Host() = %q", c.Host())
			}
		})
	}
}

func TestCreateRejectsNothingLocally(t *testing.T) {
	// The client sends the request as given: validation is the daemon's.
	var got api.ContainerCreate
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(201)
		io.WriteString(w, `{"id":"x","warnings":["w"]}`)
	}))
	res, err := c.ContainerCreate(t.Context(), api.ContainerCreate{Image: "base", StopTimeout: ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "x" || len(res.Warnings) != 1 {
		t.Errorf("answer %+v", res)
	}
	if got.StopTimeout == nil || *got.StopTimeout != 0 {
		t.Errorf("stopTimeout 0 was not sent: %+v", got.StopTimeout)
	}
}

// TestCancel checks that a cancelled context ends a blocking call.
func TestCancel(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithCancel(t.Context())
	go cancel()
	_, err := c.ContainerWait(ctx, "web", "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
