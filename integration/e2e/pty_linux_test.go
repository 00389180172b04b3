package e2e

import (
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// ptySession is the CLI running on the slave side of a pty the test holds
// the master of, as in a terminal emulator.
type ptySession struct {
	t      testing.TB
	master *os.File
	out    *testutil.SyncBuffer // everything the CLI wrote to the terminal
	res    chan daemon.Result
	mark   int // out's length when the last expect matched
}

// startPTY runs the CLI with args on a new pty of rows x cols, as the
// session leader with the pty as its controlling terminal.
func startPTY(t testing.TB, d *daemon.Daemon, rows, cols uint16, args ...string) *ptySession {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pty: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), daemon.CmdTimeout)
	cmd := d.Command(ctx, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting container-runtime %s on a pty: %v", strings.Join(args, " "), err)
	}
	slave.Close()
	s := &ptySession{t: t, master: master, out: &testutil.SyncBuffer{}, res: make(chan daemon.Result, 1)}
	copied := make(chan struct{})
	go func() {
		io.Copy(s.out, master) // ends with EIO once the CLI is gone
		close(copied)
	}()
	go func() {
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		if ctx.Err() != nil || err != nil && code < 0 {
			code = -1
		}
		cancel()
		s.res <- daemon.Result{Args: args, Code: code}
	}()
	t.Cleanup(func() {
		cancel()
		master.Close()
	})
	return s
}

// send types text on the terminal.
func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.master.Write([]byte(text)); err != nil {
		s.t.Fatalf("typing %q: %v", text, err)
	}
}

// expect waits until want appears in the terminal output after the last
// match, and fails the test if it does not within 20 s.
func (s *ptySession) expect(want string) {
	s.t.Helper()
	var found bool
	testutil.Eventually(20*time.Second, func() bool {
		out := s.out.String()
		if i := strings.Index(out[s.mark:], want); i >= 0 {
			s.mark += i + len(want)
			found = true
		}
		return found
	})
	if !found {
		s.t.Fatalf("the terminal did not show %q; it shows:\n%q", want, s.out.String()[s.mark:])
	}
}

// wait waits for the CLI to exit (at most 20 s) and returns its exit code.
func (s *ptySession) wait() int {
	s.t.Helper()
	select {
	case r := <-s.res:
		return r.Code
	case <-time.After(20 * time.Second):
		s.t.Fatalf("the CLI did not exit; the terminal shows:\n%q", s.out.String())
		return -1
	}
}

// TestPTYSession drives `run -it` through a real pty: a command's output,
// a window resize, Ctrl-C, detaching with ctrl-p ctrl-q, attaching again
// and exiting.
func TestPTYSession(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	s := startPTY(t, d, 24, 80, "run", "-it", "--name", "tty1", img, "/bin/sh")
	s.expect("# ")
	// The echo of the typed line holds "hi$((6*7))": only the shell's
	// answer holds hi42.
	s.send("echo hi$((6*7))\r")
	s.expect("hi42")
	s.send("stty size\r")
	s.expect("24 80")

	// A resize of our terminal reaches the container's.
	if err := pty.Setsize(s.master, &pty.Winsize{Rows: 33, Cols: 101}); err != nil {
		t.Fatal(err)
	}
	// The CLI learns of it by SIGWINCH: retry until it has passed it on.
	var resized bool
	for i := 0; i < 20 && !resized; i++ {
		s.send("stty size\r")
		resized = testutil.Eventually(time.Second, func() bool { return strings.Contains(s.out.String()[s.mark:], "33 101") })
	}
	if !resized {
		t.Fatalf("stty size never showed 33 101 after the resize:\n%q", s.out.String()[s.mark:])
	}
	s.expect("33 101")

	// Ctrl-C reaches the foreground command in the container.
	s.send("sleep 1000\r")
	s.expect("sleep 1000")
	time.Sleep(300 * time.Millisecond) // let sleep start
	s.send("\x03")
	s.send("echo back$((2+3))\r")
	s.expect("back5")

	// ctrl-p ctrl-q detaches; the container keeps running.
	s.send("\x10\x11")
	if code := s.wait(); code != 0 {
		t.Errorf("run -it exited %d after detaching, want 0; terminal:\n%q", code, s.out.String())
	}
	if ci := d.Inspect(t, "tty1"); !ci.StateDetail.Running {
		t.Fatalf("tty1 stopped after the detach: %+v", ci.StateDetail)
	}

	// attach again, then exit the shell: attach ends with its code.
	a := startPTY(t, d, 24, 80, "attach", "tty1")
	a.send("\r")
	a.expect("# ")
	a.send("echo again$((1+1))\r")
	a.expect("again2")
	a.send("exit 0\r")
	if code := a.wait(); code != 0 {
		t.Errorf("attach exited %d when the shell exited 0; terminal:\n%q", code, a.out.String())
	}
	if !testutil.Eventually(10*time.Second, func() bool { return !d.Inspect(t, "tty1").StateDetail.Running }) {
		t.Errorf("tty1 still running after exit")
	}
}
