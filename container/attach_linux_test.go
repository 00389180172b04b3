package container

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestAttachBeforeStart: a client attached to a created container gets
// all of its output, its stdin reaches the container, and the session
// ends with the exit code.
func TestAttachBeforeStart(t *testing.T) {
	f := newFixture(t)
	_, s := f.startAttached(t, api.ContainerCreate{Image: "busybox", OpenStdin: true,
		Cmd: []string{"sh", "-c", "echo first; read x; echo got $x >&2; exit 4"}}, AttachOptions{Stdin: true, Stdout: true, Stderr: true})
	s.until(t, "first\n")
	s.send(t, api.Stdin, []byte("abc\n"))
	out, code := s.collect(t)
	if out != "got abc\n" || code != 4 {
		t.Errorf("output %q code %d", out, code)
	}
}

// TestAttachExitAfterRemoval: the session of an --rm container tells its
// exit only once the container is removed, so that a client told the
// exit need not wait for the removal (api.ExitAfterRemovalHeader).
func TestAttachExitAfterRemoval(t *testing.T) {
	f := newFixture(t)
	id, s := f.startAttached(t, api.ContainerCreate{Image: "busybox", AutoRemove: true, Cmd: []string{"sh", "-c", "echo bye; exit 3"}},
		AttachOptions{Stdout: true, Stderr: true})
	out, code := s.collect(t)
	if out != "bye\n" || code != 3 {
		t.Errorf("output %q code %d, want \"bye\\n\" and 3", out, code)
	}
	if _, err := f.svc.Inspect(context.Background(), id); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("inspect once the exit was told: %v, want not found (removed)", err)
	}
}

func TestAttachTtyDetach(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Tty: true, OpenStdin: true, Cmd: []string{"sh"}})
	s := startSession(t, func(conn io.ReadWriter) error {
		return f.svc.Attach(ctx, id, AttachOptions{Stdin: true, Stdout: true, Stderr: true}, conn)
	})
	s.send(t, api.Stdin, []byte("tty; echo $((6*7))\n"))
	if out := s.until(t, "42"); !strings.Contains(out, "/dev/pts/") {
		t.Errorf("output %q: no pty", out)
	}
	var size [4]byte
	binary.BigEndian.PutUint16(size[0:], 10)
	binary.BigEndian.PutUint16(size[2:], 20)
	s.send(t, api.Resize, size[:])
	s.send(t, api.Stdin, []byte{16, 17}) // ctrl-p ctrl-q
	<-s.done
	select {
	case code := <-s.exit:
		t.Errorf("exit frame %d after a detach", code)
	default:
	}
	if in, _ := f.svc.Inspect(ctx, id); in.State != StateRunning {
		t.Fatalf("state %s after detach", in.State)
	}
	// A second client finds the shell, with the new size.
	s2 := startSession(t, func(conn io.ReadWriter) error {
		return f.svc.Attach(ctx, id, AttachOptions{Stdin: true, Stdout: true}, conn)
	})
	s2.send(t, api.Stdin, []byte("stty size; exit 6\n"))
	out, code := s2.collect(t)
	if code != 6 || !strings.Contains(out, "10 20") {
		t.Errorf("second attach: output %q code %d", out, code)
	}
}

func TestAttachStopped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sh", "-c", "echo bye; exit 2"}})
	f.wait(t, id)
	if err := f.svc.Attach(ctx, id, AttachOptions{Stdout: true}, nil); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("attach to a stopped container: %v", err)
	}
	s := startSession(t, func(conn io.ReadWriter) error {
		return f.svc.Attach(ctx, id, AttachOptions{Stdout: true, Logs: true}, conn)
	})
	if out, code := s.collect(t); out != "bye\n" || code != 2 {
		t.Errorf("attach with logs: %q %d", out, code)
	}
}

func TestResize(t *testing.T) {
	f := newFixture(t)
	id := f.run(t, api.ContainerCreate{Tty: true, Cmd: []string{"sh", "-c", "while :; do stty size; sleep 0.1; done"}})
	if err := f.svc.Resize(context.Background(), id, 12, 34); err != nil {
		t.Fatal(err)
	}
	waitLog(t, f, id, "12 34")
}

// TestAttachEarlyInput: stdin sent before the start (echo x | run -i cat)
// reaches the container, and closing it ends cat.
func TestAttachEarlyInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", OpenStdin: true, Cmd: []string{"cat"}})
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, func(conn io.ReadWriter) error {
		return f.svc.Attach(ctx, c.ID, AttachOptions{Stdin: true, Stdout: true, Stderr: true}, conn)
	})
	s.send(t, api.Stdin, []byte("piped\n"))
	s.send(t, api.CloseStdin, nil)
	if err := f.svc.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if out, code := s.collect(t); out != "piped\n" || code != 0 {
		t.Errorf("output %q code %d", out, code)
	}
}

// TestAttachLeavesNoGoroutines: sessions that end with the container's
// exit leave no goroutine behind (the daemon once kept one per run).
func TestAttachLeavesNoGoroutines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	session := func() {
		id, s := f.startAttached(t, api.ContainerCreate{Image: "busybox", Cmd: []string{"true"}}, AttachOptions{Stdout: true, Stderr: true})
		s.collect(t)
		if err := f.svc.Remove(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	session() // warm up lazily started goroutines
	before := goruntime.NumGoroutine()
	for range 10 {
		session()
	}
	// Goroutines of ended sessions may take a moment to be scheduled out.
	deadline := time.Now().Add(5 * time.Second)
	for goruntime.NumGoroutine() > before+3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := goruntime.NumGoroutine(); n > before+3 {
		t.Fatalf("%d goroutines after 10 sessions, %d before", n, before)
	}
}

// startAttached creates a container from req, attaches a session to it
// with opts, waits until the session waits for the start (as a client
// told so by the daemon's answer), and starts the container.
func (f *fixture) startAttached(tb testing.TB, req api.ContainerCreate, opts AttachOptions) (string, *session) {
	tb.Helper()
	ctx := context.Background()
	c, err := f.svc.Create(ctx, req)
	if err != nil {
		tb.Fatal(err)
	}
	s := startSession(tb, func(conn io.ReadWriter) error { return f.svc.Attach(ctx, c.ID, opts, conn) })
	waitAttacher(tb, f.svc, c.ID)
	if err := f.svc.Start(ctx, c.ID); err != nil {
		tb.Fatal(err)
	}
	return c.ID, s
}

// waitAttacher waits until a client attached to the created container id
// waits for its start, as the daemon's answer to an attach request (101,
// sent once the session is set up) tells a client before it sends the
// start.
func waitAttacher(tb testing.TB, s *Service, id string) {
	tb.Helper()
	e, err := s.lookup(id)
	if err != nil {
		tb.Fatal(err)
	}
	attached := testutil.Eventually(20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.attachers) > 0
	})
	if !attached {
		tb.Fatal("the attach session never waited for the start")
	}
}

// TestAttachStartFails: a client attached to a created container whose
// start fails once the monitor was handed to it (the program is missing:
// the init fails after the client connected) gets no exit code, as
// Docker's attach stream just ends, and its session ends with the start
// rather than waiting for an exit that is never recorded.
func TestAttachStartFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"/no/such/program"}})
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t, func(conn io.ReadWriter) error {
		return f.svc.Attach(ctx, c.ID, AttachOptions{Stdout: true, Stderr: true}, conn)
	})
	waitAttacher(t, f.svc, c.ID)
	if err := f.svc.Start(ctx, c.ID); err == nil || !strings.Contains(err.Error(), "/no/such/program") {
		t.Fatalf("Start: %v; want the missing program named", err)
	}
	// Well within killWait, the bound of the wait for an exit record.
	select {
	case <-s.done:
	case <-time.After(killWait / 2):
		t.Fatalf("the attach session still runs %v after its start failed", killWait/2)
	}
	select {
	case code := <-s.exit:
		t.Errorf("the session sent exit code %d for a start that failed", code)
	default:
	}
}
