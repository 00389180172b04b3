package client

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestProgressStreams(t *testing.T) {
	cases := []struct {
		name    string
		lines   string
		wantID  string
		wantErr error // sentinel, or nil for success
		wantN   int   // lines passed to the callback
	}{
		{name: "success", lines: `{"stream":"Step 1/2 : FROM base\n","step":1,"steps":2}` + "\n" +
			`{"stream":" ---> CACHED\n","cached":true}` + "\n" + `{"id":"sha256:abc"}` + "\n",
			wantID: "sha256:abc", wantN: 3},
		{name: "error in progress", lines: `{"stream":"Step 1/1 : RUN false\n"}` + "\n" +
			`{"error":{"kind":"invalid_argument","message":"RUN false: exit code 1"}}` + "\n",
			wantErr: errdefs.ErrInvalidArgument, wantN: 1},
		{name: "bare error line", lines: `{"kind":"not_found","message":"image base not found"}` + "\n",
			wantErr: errdefs.ErrNotFound},
		{name: "truncated", lines: `{"stream":"x"}` + "\n", wantErr: errors.New("no result"), wantN: 1},
	}
	calls := []struct {
		name   string
		method string
		path   string
		query  string
		body   string
		do     func(c *Client, t *testing.T, fn func(api.Progress)) (string, error)
	}{
		{"build", "POST", "/v1/build", "", `{"tags":["x"],"dockerfile":"/d/Dockerfile","contextDir":"/d"}`,
			func(c *Client, t *testing.T, fn func(api.Progress)) (string, error) {
				return c.Build(t.Context(), api.BuildRequest{Tags: []string{"x"}, Dockerfile: "/d/Dockerfile", ContextDir: "/d"}, fn)
			}},
		{"bootstrap", "POST", "/v1/images/bootstrap", "", `{"name":"base","suite":"bookworm"}`,
			func(c *Client, t *testing.T, fn func(api.Progress)) (string, error) {
				return c.Bootstrap(t.Context(), api.BootstrapRequest{Name: "base", Suite: "bookworm"}, fn)
			}},
		{"import", "POST", "/v1/images/import", "name=imp", "TARBYTES",
			func(c *Client, t *testing.T, fn func(api.Progress)) (string, error) {
				return c.ImageImport(t.Context(), "imp", strings.NewReader("TARBYTES"), fn)
			}},
	}
	for _, call := range calls {
		for _, tc := range cases {
			t.Run(call.name+"/"+tc.name, func(t *testing.T) {
				c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					if r.Method != call.method || r.URL.Path != call.path || r.URL.RawQuery != call.query || string(body) != call.body {
						t.Errorf("request %s %s?%s %s", r.Method, r.URL.Path, r.URL.RawQuery, body)
					}
					io.WriteString(w, tc.lines)
				}))
				n := 0
				id, err := call.do(c, t, func(api.Progress) { n++ })
				if tc.wantErr == nil {
					if err != nil || id != tc.wantID {
						t.Fatalf("id %q err %v, want %q", id, err, tc.wantID)
					}
				} else {
					if err == nil {
						t.Fatalf("no error, id %q", id)
					}
					if errors.Is(tc.wantErr, errdefs.ErrNotFound) || errors.Is(tc.wantErr, errdefs.ErrInvalidArgument) {
						if !errors.Is(err, tc.wantErr) {
							t.Errorf("err %v, want %v", err, tc.wantErr)
						}
					}
				}
				if n != tc.wantN {
					t.Errorf("callback called %d times, want %d", n, tc.wantN)
				}
			})
		}
	}
}

func TestEvents(t *testing.T) {
	cases := []struct {
		name    string
		lines   string
		want    []string // actions
		wantErr error
	}{
		{name: "until reached", lines: `{"type":"container","action":"create","id":"c1"}` + "\n" +
			`{"type":"container","action":"start","id":"c1","pid":42}` + "\n", want: []string{"create", "start"}},
		{name: "error", lines: `{"type":"container","action":"create","id":"c1"}` + "\n" +
			`{"kind":"unavailable","message":"too slow"}` + "\n", want: []string{"create"}, wantErr: errdefs.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != "id=c1&since=10&type=container" {
					t.Errorf("query %q", got)
				}
				io.WriteString(w, tc.lines)
			}))
			events, errs := c.Events(t.Context(), EventsOptions{Since: "10", Type: "container", ID: "c1"})
			var got []string
			for e := range events {
				got = append(got, e.Action)
				if e.Action == "start" && e.Pid != 42 {
					t.Errorf("start pid %d", e.Pid)
				}
			}
			err := <-errs
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("actions %v, want %v", got, tc.want)
			}
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func frame(stream byte, p string) []byte {
	var b bytes.Buffer
	api.WriteFrame(&b, stream, []byte(p))
	return b.Bytes()
}

func exitFrame(code int32) []byte {
	var p [4]byte
	binary.BigEndian.PutUint32(p[:], uint32(code))
	var b bytes.Buffer
	api.WriteFrame(&b, api.Exit, p[:])
	return b.Bytes()
}

func TestLogs(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/containers/web/logs" {
			t.Errorf("path %s", r.URL.Path)
		}
		if got := r.URL.Query().Encode(); got != "follow=1&since=5m&stderr=1&stdout=1&tail=3&timestamps=1" {
			t.Errorf("query %q", got)
		}
		w.Write(frame(api.Stdout, "out1\n"))
		w.Write(frame(api.Stderr, "err1\n"))
		w.Write(frame(api.Stdout, "out2\n"))
	}))
	var out, errb bytes.Buffer
	err := c.ContainerLogs(t.Context(), "web", LogsOptions{Follow: true, Tail: "3", Timestamps: true, Since: "5m"}, &out, &errb)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "out1\nout2\n" || errb.String() != "err1\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
}

// TestAttach drives a whole attach session: upgrade headers, output
// frames, stdin, resize and close-stdin frames, and the exit code.
func TestAttach(t *testing.T) {
	got := make(chan []string, 1)
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/containers/web/attach" || r.URL.Query().Encode() != "stderr=1&stdin=1&stdout=1" {
			t.Errorf("request %s?%s", r.URL.Path, r.URL.RawQuery)
		}
		if r.Header.Get("Upgrade") != "tcp" || r.Header.Get("Connection") != "Upgrade" {
			t.Errorf("headers %v", r.Header)
		}
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		var seen []string
		for {
			s, p, err := api.ReadFrame(rw, nil)
			if err != nil {
				t.Error(err)
				break
			}
			switch s {
			case api.Stdin:
				seen = append(seen, "stdin:"+string(p))
				rw.Write(frame(api.Stdout, strings.ToUpper(string(p))))
			case api.Resize:
				seen = append(seen, "resize:"+string(rune('0'+binary.BigEndian.Uint16(p)))+"x"+string(rune('0'+binary.BigEndian.Uint16(p[2:]))))
			case api.CloseStdin:
				seen = append(seen, "close")
			}
			if s == api.CloseStdin {
				break
			}
		}
		got <- seen
		rw.Write(frame(api.Stderr, "bye\n"))
		rw.Write(exitFrame(3))
		rw.Flush()
	}))
	s, err := c.ContainerAttach(t.Context(), "web", AttachOptions{Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Resize(4, 8); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteStdin([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code, exited, err := s.Copy(&out, &errb)
	if err != nil || !exited || code != 3 {
		t.Fatalf("Copy = %d, %v, %v; want 3, true, nil", code, exited, err)
	}
	if out.String() != "HI" || errb.String() != "bye\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	if want := []string{"resize:4x8", "stdin:hi", "close"}; !reflect.DeepEqual(<-got, want) {
		t.Errorf("daemon saw other frames, want %v", want)
	}
}

func TestExecStart(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1/exec/e1/start" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		rw.Write(frame(api.Stdout, "x"))
		rw.Write(exitFrame(-1))
		rw.Flush()
	}))
	s, err := c.ExecStart(t.Context(), "e1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, p, err := s.ReadFrame()
	if err != nil || st != api.Stdout || string(p) != "x" {
		t.Fatalf("ReadFrame = %d %q %v", st, p, err)
	}
	code, exited, err := s.Copy(nil, nil)
	if err != nil || !exited || code != -1 {
		t.Errorf("Copy = %d %v %v", code, exited, err)
	}
}

// TestExecRun checks the exec created and started in one request: the
// create's body and start=1 go in the upgrade request, and the exec's id
// comes back from the 101's header.
func TestExecRun(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.ExecCreate
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !reflect.DeepEqual(req.Cmd, []string{"true"}) {
			t.Errorf("body %+v %v", req, err)
		}
		if r.Method != "POST" || r.URL.Path != "/v1/containers/web/exec" || r.URL.RawQuery != "start=1" || r.Header.Get("Upgrade") != "tcp" {
			t.Errorf("request %s %s?%s, Upgrade %q", r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Upgrade"))
		}
		w.Header().Set(api.ExecIDHeader, "e7")
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		rw.Write(exitFrame(4))
		rw.Flush()
	}))
	id, s, err := c.ExecRun(t.Context(), "web", api.ExecCreate{Cmd: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id != "e7" {
		t.Errorf("exec id %q, want e7", id)
	}
	if code, exited, err := s.Copy(nil, nil); err != nil || !exited || code != 4 {
		t.Errorf("Copy = %d %v %v", code, exited, err)
	}
}

// TestUpgradeRefused checks that an error answer to an upgrade is the
// daemon's error, and that a 200 is not taken for an upgrade.
func TestUpgradeRefused(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   error
	}{
		{404, `{"kind":"not_found","message":"no such exec: e1"}`, errdefs.ErrNotFound},
		{200, `{}`, nil},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			_, err := c.ExecStart(t.Context(), "e1")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestStreamEOF: a stream that ends without an Exit frame is not an exit.
func TestStreamEOF(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		rw.Write(frame(api.Stdout, "partial"))
		rw.Flush()
		conn.Close()
	}))
	s, err := c.ContainerAttach(t.Context(), "web", AttachOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	_, exited, err := s.Copy(&out, nil)
	if err != nil || exited || out.String() != "partial" {
		t.Errorf("Copy: exited %v err %v out %q", exited, err, out.String())
	}
}
