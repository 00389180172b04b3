package container

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// session is the client side of an attach or exec connection.
type session struct {
	conn net.Conn
	out  chan []byte // stdout and stderr payloads
	exit chan int    // the Exit frame's code
	done chan struct{}
}

// startSession runs serve (Attach or ExecStart) on one end of a pipe and
// returns the client's end.
func startSession(tb testing.TB, serve func(conn io.ReadWriter) error) *session {
	tb.Helper()
	client, server := net.Pipe()
	s := &session{conn: client, out: make(chan []byte, 1024), exit: make(chan int, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer server.Close()
		if err := serve(server); err != nil {
			tb.Errorf("serving the session: %v", err)
		}
	}()
	go func() {
		defer close(s.out)
		for {
			stream, p, err := api.ReadFrame(client, nil)
			if err != nil {
				return
			}
			switch stream {
			case api.Exit:
				s.exit <- int(int32(binary.BigEndian.Uint32(p)))
			default:
				s.out <- bytes.Clone(p)
			}
		}
	}()
	tb.Cleanup(func() { client.Close() })
	return s
}

func (s *session) send(tb testing.TB, stream byte, p []byte) {
	tb.Helper()
	if err := api.WriteFrame(s.conn, stream, p); err != nil {
		tb.Fatalf("sending a frame: %v", err)
	}
}

// collect reads output until the Exit frame and returns both.
func (s *session) collect(tb testing.TB) (string, int) {
	tb.Helper()
	var b strings.Builder
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p, ok := <-s.out:
			if !ok {
				select {
				case code := <-s.exit:
					return b.String(), code
				default:
					tb.Fatalf("stream ended without an exit frame; output %q", b.String())
				}
			}
			b.Write(p)
		case code := <-s.exit:
			// Drain what came before the exit frame.
			for {
				select {
				case p, ok := <-s.out:
					if !ok {
						return b.String(), code
					}
					b.Write(p)
				case <-time.After(100 * time.Millisecond):
					return b.String(), code
				}
			}
		case <-timeout:
			tb.Fatalf("no exit frame; output so far %q", b.String())
		}
	}
}

// until reads output until it contains want.
func (s *session) until(tb testing.TB, want string) string {
	tb.Helper()
	var b strings.Builder
	timeout := time.After(20 * time.Second)
	for !strings.Contains(b.String(), want) {
		select {
		case p, ok := <-s.out:
			if !ok {
				tb.Fatalf("stream ended before %q; output %q", want, b.String())
			}
			b.Write(p)
		case <-timeout:
			tb.Fatalf("no %q in output %q", want, b.String())
		}
	}
	return b.String()
}

func TestExecUserEnvAndDir(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Env: []string{"CONTAINER_VAR=c"}, Cmd: []string{"sleep", "60"}})
	tests := []struct {
		name string
		req  api.ExecCreate
		want string
	}{
		{"user by name", api.ExecCreate{User: "app", Env: []string{"FOO=bar"}, WorkingDir: "/tmp",
			Cmd: []string{"sh", "-c", `echo $(id -u) $(id -g) $(id -G) $FOO $CONTAINER_VAR $IMAGE_VAR $HOME $(pwd)`}},
			"1000 1000 1000 2000 bar c from-image /home/app /tmp\n"},
		{"numeric user and group", api.ExecCreate{User: "4242:4343", Cmd: []string{"sh", "-c", "echo $(id -u) $(id -g)"}}, "4242 4343\n"},
		{"default is root", api.ExecCreate{Cmd: []string{"sh", "-c", "echo $(id -u) >&2"}}, "0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xid, err := f.svc.ExecCreate(ctx, id, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			s := startSession(t, func(c io.ReadWriter) error { return f.svc.ExecStart(ctx, xid, c) })
			out, code := s.collect(t)
			if out != tt.want || code != 0 {
				t.Errorf("output %q code %d, want %q 0", out, code, tt.want)
			}
			in, err := f.svc.ExecInspect(ctx, xid)
			if err != nil || in.Running || in.ExitCode == nil || *in.ExitCode != 0 {
				t.Errorf("exec inspect %+v %v", in, err)
			}
		})
	}
	t.Run("exit code and stdin", func(t *testing.T) {
		xid, err := f.svc.ExecCreate(ctx, id, api.ExecCreate{Stdin: true, Cmd: []string{"sh", "-c", "read x; echo got $x; exit 3"}})
		if err != nil {
			t.Fatal(err)
		}
		s := startSession(t, func(c io.ReadWriter) error { return f.svc.ExecStart(ctx, xid, c) })
		s.send(t, api.Stdin, []byte("abc\n"))
		out, code := s.collect(t)
		if out != "got abc\n" || code != 3 {
			t.Errorf("output %q code %d", out, code)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		xid, err := f.svc.ExecCreate(ctx, id, api.ExecCreate{User: "nosuchuser", Cmd: []string{"true"}})
		if err != nil {
			t.Fatal(err)
		}
		client, server := net.Pipe()
		defer client.Close()
		if err := f.svc.ExecStart(ctx, xid, server); err == nil || !strings.Contains(err.Error(), "nosuchuser") {
			t.Errorf("exec as an unknown user: %v", err)
		}
	})
}

func TestExecTty(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sleep", "60"}})
	xid, err := f.svc.ExecCreate(ctx, id, api.ExecCreate{Tty: true, Stdin: true, Cmd: []string{"sh"}})
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, func(c io.ReadWriter) error { return f.svc.ExecStart(ctx, xid, c) })
	var size [4]byte
	binary.BigEndian.PutUint16(size[0:], 33)
	binary.BigEndian.PutUint16(size[2:], 77)
	s.send(t, api.Resize, size[:])
	s.send(t, api.Stdin, []byte("tty; stty size; echo $((6*7))\n"))
	out := s.until(t, "42")
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "33 77") {
		t.Errorf("tty output %q: no pty or wrong size", out)
	}
	if err := f.svc.ExecResize(ctx, xid, 20, 50); err != nil {
		t.Errorf("ExecResize: %v", err)
	}
	s.send(t, api.Stdin, []byte("stty size; exit 5\n"))
	out, code := s.collect(t)
	if code != 5 || !strings.Contains(out, "20 50") {
		t.Errorf("output %q code %d, want size 20 50 and code 5", out, code)
	}
}
