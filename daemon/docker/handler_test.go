package docker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeContainers is a ContainerService that knows one container, "c1";
// the methods the tests do not reach panic (the embedded nil interface).
type fakeContainers struct {
	daemon.ContainerService
	created []api.ContainerCreate
	running bool
	// attach, when set, is the service's Attach (the container is then
	// "created").
	attach func(context.Context, string, api.AttachOptions, io.ReadWriter) error
}

func (f *fakeContainers) Attach(ctx context.Context, id string, opts api.AttachOptions, conn io.ReadWriter) error {
	return f.attach(ctx, id, opts, conn)
}

func (f *fakeContainers) Create(_ context.Context, req api.ContainerCreate) (api.ContainerCreated, error) {
	f.created = append(f.created, req)
	return api.ContainerCreated{ID: "c1"}, nil
}

func (f *fakeContainers) Inspect(_ context.Context, id string) (api.ContainerInspect, error) {
	if id != "c1" {
		return api.ContainerInspect{}, errdefs.Kindf(errdefs.ErrNotFound, "no such container: %s", id)
	}
	c := api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c1", Name: "one", State: "created"}}
	c.StateDetail.Running = f.running
	if f.attach != nil {
		c.StateDetail.Status = "created"
	}
	return c, nil
}

func (f *fakeContainers) Start(context.Context, string) error {
	f.running = true
	return nil
}

func (f *fakeContainers) Stop(context.Context, string, *int) error {
	f.running = false
	return nil
}

func newTestHandler() (*Handler, *fakeContainers) {
	fc := &fakeContainers{}
	return New(Config{Containers: fc}), fc
}

// serve sends one request to h.
func serve(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

// errorMessage is the message of a Docker error body ("" when not one).
func errorMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	json.Unmarshal(body, &e)
	return e.Message
}

func TestVersions(t *testing.T) {
	h, _ := newTestHandler()
	for _, tc := range []struct {
		target string
		status int
		want   string
	}{
		{"/_ping", 200, "OK"},
		{"/v1.41/_ping", 200, "OK"},
		{"/v1.57/_ping", 200, "OK"},
		{"/v1.9/_ping", 400, "too old"},
		{"/v1.40/_ping", 400, "too old"},
		{"/v1.58/_ping", 400, "too new"},
		{"/v2.0/_ping", 400, "too new"},
		{"/v1.44/nowhere", 404, "GET /v1.44/nowhere is not implemented"},
		{"/v1.44/containers/zzz/json", 404, "no such container: zzz"},
	} {
		rec := serve(h, "GET", tc.target, "")
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("GET %s: %d %q, want %d with %q", tc.target, rec.Code, rec.Body, tc.status, tc.want)
		}
		if rec.Header().Get("Api-Version") != MaxAPIVersion {
			t.Errorf("GET %s: Api-Version %q", tc.target, rec.Header().Get("Api-Version"))
		}
		if tc.status >= 400 && errorMessage(rec.Body.Bytes()) == "" {
			t.Errorf("GET %s: %q is not a Docker error body", tc.target, rec.Body)
		}
	}
	if compareVersions("1.9", "1.41") >= 0 || compareVersions("1.41", "1.41") != 0 || compareVersions("2.0", "1.57") <= 0 {
		t.Error("compareVersions does not compare numerically")
	}
}

func TestStartStopNotModified(t *testing.T) {
	h, _ := newTestHandler()
	steps := []struct {
		target string
		status int
	}{
		{"/v1.45/containers/c1/stop", 304},
		{"/v1.45/containers/c1/start", 204},
		{"/v1.45/containers/c1/start", 304},
		{"/v1.45/containers/c1/stop", 204},
		{"/v1.45/containers/nope/start", 404},
	}
	for _, s := range steps {
		if rec := serve(h, "POST", s.target, ""); rec.Code != s.status {
			t.Errorf("POST %s: %d, want %d", s.target, rec.Code, s.status)
		}
	}
}

func TestFilters(t *testing.T) {
	for _, raw := range []string{`{"label":{"a=b":true,"c":true},"status":{"exited":true}}`, `{"label":["a=b","c"],"status":["exited"]}`} {
		r := httptest.NewRequest("GET", "/containers/json?filters="+strings.ReplaceAll(raw, "\"", "%22"), nil)
		q := newQuery(r)
		f := q.filters()
		if q.err != nil || len(f["label"]) != 2 || len(f["status"]) != 1 || f["status"][0] != "exited" {
			t.Errorf("filters %s: %v %v", raw, f, q.err)
		}
	}
	r := httptest.NewRequest("GET", "/containers/json?filters=%7Bx", nil)
	q := newQuery(r)
	q.filters()
	if !errors.Is(q.err, errdefs.ErrInvalidArgument) {
		t.Errorf("malformed filters: %v", q.err)
	}
}

func TestUnixTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"0", time.Time{}, true},
		{"1700000000", time.Unix(1700000000, 0), true},
		{"1700000000.5", time.Unix(1700000000, 5e8), true},
		{"1700000000.000000001", time.Unix(1700000000, 1), true},
		{"yesterday", time.Time{}, false},
		{"1.x", time.Time{}, false},
	} {
		got, err := unixTime("since", tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("unixTime(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// TestSessionFrames: the service's frames reach a Docker client as
// Docker's (our exit frame dropped; raw for a tty), and the client's raw
// stdin reaches the service as frames, its end as a close-stdin frame.
func TestSessionFrames(t *testing.T) {
	for _, tty := range []bool{false, true} {
		server, client := net.Pipe()
		s := &session{conn: server, r: server, untrack: func() {}, tty: tty, stdin: true, done: make(chan struct{})}
		go func() {
			var b bytes.Buffer
			api.WriteFrame(&b, api.Stdout, []byte("out"))
			api.WriteFrame(&b, api.Stderr, []byte("err"))
			api.WriteFrame(&b, api.Exit, api.ExitPayload(3))
			// Split across writes: the session reassembles frames.
			all := b.Bytes()
			s.Write(all[:5])
			s.Write(all[5:])
			s.close()
		}()
		got, _ := io.ReadAll(client)
		var want bytes.Buffer
		if tty {
			want.WriteString("outerr")
		} else {
			api.WriteFrame(&want, api.Stdout, []byte("out"))
			api.WriteFrame(&want, api.Stderr, []byte("err"))
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("tty=%v: client got %q, want %q", tty, got, want.Bytes())
		}
	}

	server, client := net.Pipe()
	s := &session{conn: server, r: server, untrack: func() {}, stdin: true, done: make(chan struct{})}
	go func() {
		client.Write([]byte("hello"))
		client.Close()
	}()
	stream, p, err := api.ReadFrame(s, nil)
	if err != nil || stream != api.Stdin || string(p) != "hello" {
		t.Fatalf("first frame: %d %q %v", stream, p, err)
	}
	stream, _, err = api.ReadFrame(s, nil)
	if err != nil || stream != api.CloseStdin {
		t.Fatalf("after the client's end: %d %v, want close-stdin", stream, err)
	}
	go s.close()
	if _, _, err := api.ReadFrame(s, nil); !errors.Is(err, io.EOF) {
		t.Errorf("after close: %v, want EOF", err)
	}
}

// TestAttachAnswersAtFirstUse: an attach is answered (101) only once the
// service used the session, so that a client starting the container when
// answered (`docker run`) finds the service ready for the output; and an
// error before that first use is the answer's status, not a stream.
func TestAttachAnswersAtFirstUse(t *testing.T) {
	h, fc := newTestHandler()
	srv := httptest.NewServer(h)
	defer srv.Close()
	// attach sends the request; first is closed when the client got the
	// first byte of the answer.
	attach := func(first chan<- struct{}) (status int, body []byte) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(conn, "POST /v1.47/containers/c1/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
		br := bufio.NewReader(conn)
		br.Peek(1)
		close(first)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			body, _ = io.ReadAll(br)
		} else {
			body, _ = io.ReadAll(resp.Body)
		}
		return resp.StatusCode, body
	}

	first := make(chan struct{})
	fc.attach = func(_ context.Context, _ string, _ api.AttachOptions, conn io.ReadWriter) error {
		// Not answered while the service gets ready (registers for the
		// start): the client would start the container now.
		select {
		case <-first:
			t.Errorf("the attach was answered before the service used it")
		case <-time.After(200 * time.Millisecond):
		}
		var b bytes.Buffer
		api.WriteFrame(&b, api.Stdout, []byte("out"))
		_, err := conn.Write(b.Bytes())
		return err
	}
	status, body := attach(first)
	var want bytes.Buffer
	api.WriteFrame(&want, api.Stdout, []byte("out"))
	if status != http.StatusSwitchingProtocols || !bytes.Equal(body, want.Bytes()) {
		t.Errorf("attach: %d then %q, want 101 then the frame", status, body)
	}

	fc.attach = func(context.Context, string, api.AttachOptions, io.ReadWriter) error {
		return errdefs.Kindf(errdefs.ErrConflict, "container one is not running")
	}
	status, body = attach(make(chan struct{}))
	if status != http.StatusConflict || errorMessage(body) != "container one is not running" {
		t.Errorf("attach failing before its first use: %d %q, want 409 with the error", status, body)
	}
}

// FuzzCreateBody: any body and query sent to POST /containers/create gets
// 201 or a Docker-shaped 4xx, never a panic or a 500.
func FuzzCreateBody(f *testing.F) {
	f.Add("name=a", `{"Image": "busybox", "Cmd": ["true"]}`)
	f.Add("", `{"Image": "b", "HostConfig": {"PortBindings": {"x/tcp": []}}}`)
	f.Add("", `{"Image": "b", "HostConfig": {"Dns": ["::1", "bad"]}}`)
	f.Add("", `{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"n": {"MacAddress": "zz"}}}}`)
	f.Add("", `{"Image": "b"} trailing`)
	f.Add("", `null`)
	f.Add("", ``)
	f.Fuzz(func(t *testing.T, query, body string) {
		h, _ := newTestHandler()
		req := httptest.NewRequest("POST", "/v1.47/containers/create", strings.NewReader(body))
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusCreated:
		case rec.Code >= 400 && rec.Code < 500:
			if errorMessage(rec.Body.Bytes()) == "" {
				t.Fatalf("%d with a body that is not Docker's error: %q", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
