package monitor

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
)

// The test binary imports this package, so Start re-executes it as the
// monitor, exactly as it would the daemon.

// testTimeout bounds every wait of a test: a hang fails instead of
// blocking the whole run.
const testTimeout = 30 * time.Second

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// testConfig returns a Config whose dir and log live in a temp dir.
func testConfig(t testing.TB) Config {
	t.Helper()
	dir := t.TempDir()
	return Config{Dir: dir, LogPath: filepath.Join(dir, "container.log")}
}

// killOnCleanup kills pid at the end of the test if it still runs. It
// holds a pidfd, so a PID reused after the process ended is never hit.
func killOnCleanup(t testing.TB, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // already gone
	}
	t.Cleanup(func() {
		unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		unix.Close(fd)
	})
}

// startMonitor starts a monitor that the test's end kills if needed.
func startMonitor(t testing.TB, cfg Config) *Monitor {
	t.Helper()
	m, err := Start(testContext(t), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	// Cleanups run last first: close, kill, then wait until it is
	// reaped, so that no monitor outlives the tests.
	t.Cleanup(func() {
		select {
		case <-m.reaped:
		case <-time.After(testTimeout):
			t.Errorf("monitor %d was not reaped", m.Pid())
		}
	})
	killOnCleanup(t, m.Pid())
	t.Cleanup(func() { m.Close() })
	return m
}

// runInit launches, through m, a stand-in for the runtime's namespace
// stage (this test binary, see TestMain) that starts /bin/sh -c script
// as the container's init, a child of the monitor, with files at 3, 4,
// ..., and exits. It returns the init's PID, as the stage told it.
func runInit(t testing.TB, m *Monitor, script string, files ...*os.File) int {
	t.Helper()
	return launchStage(t, m, 0, script, files...)
}

// launchStage is runInit with a stage that exits only delay after it
// started the init.
func launchStage(t testing.TB, m *Monitor, delay time.Duration, script string, files ...*os.File) int {
	t.Helper()
	exe, err := os.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	env := []string{"PATH=/usr/bin:/bin", envTestStage + "=" + strconv.Itoa(3+len(files)), envTestStageDelay + "=" + delay.String()}
	pid, err := m.Launch(exe, []string{"stage", script}, env, append(files, w), "/")
	w.Close()
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	killOnCleanup(t, pid)
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	init, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the stage told the init's PID as %q: %v", b, err)
	}
	killOnCleanup(t, init)
	return init
}

func attach(t testing.TB, dir string) *AttachConn {
	t.Helper()
	a, err := Attach(testContext(t), dir)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	a.c.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { a.Close() })
	return a
}

// session is what an attach client received.
type session struct {
	stdout, stderr strings.Builder
	exit           int // -1 without an exit frame
}

// readUntil reads frames until the exit frame, the end of the
// connection, or until stop (if not nil) returns true.
func readUntil(t testing.TB, a *AttachConn, stop func(*session) bool) *session {
	t.Helper()
	s := &session{exit: -1}
	for stop == nil || !stop(s) {
		stream, p, err := a.ReadFrame()
		if errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) {
			return s
		}
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		switch stream {
		case api.Stdout:
			s.stdout.Write(p)
		case api.Stderr:
			s.stderr.Write(p)
		case api.Exit:
			code, err := ExitCode(p)
			if err != nil {
				t.Fatal(err)
			}
			s.exit = code
			return s
		default:
			t.Fatalf("unexpected frame stream %d", stream)
		}
	}
	return s
}

func waitExit(t testing.TB, m *Monitor, dir string) *Exit {
	t.Helper()
	e, err := WaitExit(testContext(t), dir, m.Pid())
	if err != nil {
		t.Fatalf("WaitExit: %v", err)
	}
	return e
}

func readLogs(t testing.TB, path string, opts LogOptions) []LogEntry {
	t.Helper()
	var out []LogEntry
	err := ReadLogs(testContext(t), path, opts, func(e LogEntry) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadLogs: %v", err)
	}
	return out
}

// waitGone waits until the process behind pidfd-less pid has exited, by
// polling a pidfd taken now.
func waitGone(t testing.TB, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(testTimeout/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if n != 1 {
			t.Fatalf("process %d still runs after %v", pid, testTimeout)
		}
		return
	}
}
