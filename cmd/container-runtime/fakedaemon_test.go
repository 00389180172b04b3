package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// fakeDaemon is an HTTP server on a UNIX socket answering the routes a
// test registers, and recording every request.
type fakeDaemon struct {
	t    testing.TB
	mux  *http.ServeMux
	host string

	mu    sync.Mutex
	calls []string // "METHOD /path?query"
}

func newFakeDaemon(t testing.TB) *fakeDaemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "crt-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDaemon{t: t, mux: http.NewServeMux(), host: "unix://" + sock}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := r.Method + " " + r.URL.Path
		if r.URL.RawQuery != "" {
			call += "?" + r.URL.RawQuery
		}
		d.mu.Lock()
		d.calls = append(d.calls, call)
		d.mu.Unlock()
		if _, pattern := d.mux.Handler(r); pattern == "" {
			answerError(w, 404, api.KindNotFound, "no route "+call)
			return
		}
		d.mux.ServeHTTP(w, r)
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return d
}

// handle registers h for a ServeMux pattern ("POST /v1/containers").
func (d *fakeDaemon) handle(pattern string, h http.HandlerFunc) { d.mux.HandleFunc(pattern, h) }

// answer registers a fixed answer.
func (d *fakeDaemon) answer(pattern string, status int, body string) {
	d.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

// called returns the requests received so far.
func (d *fakeDaemon) called() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

// result is what a CLI invocation did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI with args against the daemon, stdin as its input.
func (d *fakeDaemon) run(stdin string, args ...string) result {
	d.t.Helper()
	return runCLI(d.t, map[string]string{"CONTAINER_RUNTIME_HOST": d.host}, stdin, args...)
}

func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb},
		func(k string) string { return env[k] })
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func answerError(w http.ResponseWriter, status int, kind api.ErrorKind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.Error{Kind: kind, Message: msg})
}

func answerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads a request's JSON body into v.
func decode(t testing.TB, r *http.Request, v any) {
	t.Helper()
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Errorf("decoding the request body: %v", err)
	}
}

// hijack answers 101, with the headers set on w, and returns the raw
// connection.
func hijack(t testing.TB, w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	header := w.Header().Clone()
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	rw.WriteString("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n")
	header.Write(rw)
	rw.WriteString("\r\n")
	rw.Flush()
	return conn, rw
}

func writeFrame(w io.Writer, stream byte, p string) { api.WriteFrame(w, stream, []byte(p)) }

func writeExit(w io.Writer, code int32) {
	var p [4]byte
	binary.BigEndian.PutUint32(p[:], uint32(code))
	api.WriteFrame(w, api.Exit, p[:])
}

// attachScript serves an attach or exec stream: once started is closed
// (nil: at once) it writes out frames then the exit code, after reading
// stdin until CloseStdin when readStdin. What stdin carried is sent on
// gotStdin (when not nil).
type attachScript struct {
	started   <-chan struct{}
	readStdin bool
	gotStdin  chan<- string
	frames    [][2]string // stream ("1" or "2") and payload
	exit      *int32      // nil: end without an exit frame
}

func (s attachScript) serve(t testing.TB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "tcp" {
			t.Errorf("attach without Upgrade: tcp")
		}
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		// gone is closed when the client hangs up (or, with readStdin,
		// when it closed stdin).
		gone := make(chan struct{})
		if s.readStdin {
			var in strings.Builder
			for {
				st, p, err := api.ReadFrame(rw, nil)
				if err != nil || st == api.CloseStdin {
					break
				}
				if st == api.Stdin {
					in.Write(p)
				}
			}
			if s.gotStdin != nil {
				s.gotStdin <- in.String()
			}
		} else {
			go func() {
				io.Copy(io.Discard, rw)
				close(gone)
			}()
		}
		if s.started != nil {
			select {
			case <-s.started:
			case <-gone:
				return
			}
		}
		for _, f := range s.frames {
			st := api.Stdout
			if f[0] == "2" {
				st = api.Stderr
			}
			writeFrame(rw, st, f[1])
		}
		if s.exit != nil {
			writeExit(rw, *s.exit)
		}
		rw.Flush()
	}
}

func code(c int32) *int32 { return &c }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
