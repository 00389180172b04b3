package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// CmdTimeout bounds one CLI command that is expected to end by itself.
const CmdTimeout = 2 * time.Minute

// Result is what one CLI command did.
type Result struct {
	Args           []string
	Code           int // -1: did not end in time, killed by a signal, or could not start
	TimedOut       bool
	Stdout, Stderr string
}

func (r Result) String() string {
	return fmt.Sprintf("container-runtime %s: exit %d\nstdout: %s\nstderr: %s",
		strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// env is the CLI's environment: ours, with the daemon's address.
func (d *Daemon) env() []string {
	return append(os.Environ(), "CONTAINER_RUNTIME_HOST=unix://"+d.Socket)
}

// Command returns the CLI command for args against d, killed when ctx
// ends, for a test that wires its standard streams itself (a pty).
func (d *Daemon) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bins.cli, args...)
	cmd.Env = d.env()
	cmd.Dir = d.Dir
	// A container may keep a copy of our pipes: do not wait for it.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Exec runs the CLI to its end, bounded by timeout, with stdin (nil:
// none). It is safe from any goroutine: it never fails the test itself.
func (d *Daemon) Exec(timeout time.Duration, stdin io.Reader, args ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := d.Command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: args}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code, r.TimedOut = -1, true
		fmt.Fprintf(&stderr, "\n(killed after %v)", timeout)
	case errors.As(err, &exitErr):
		r.Code = exitErr.ExitCode()
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		r.Code = -1
		fmt.Fprintf(&stderr, "\n(%v)", err)
	}
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	return r
}

// Run runs the CLI to its end (bounded by CmdTimeout).
func (d *Daemon) Run(t testing.TB, args ...string) Result {
	t.Helper()
	return d.Exec(CmdTimeout, nil, args...)
}

// OK runs the CLI and fails the test unless it exits 0; it returns stdout.
func (d *Daemon) OK(t testing.TB, args ...string) string {
	t.Helper()
	r := d.Run(t, args...)
	if r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	return r.Stdout
}

// Cmd is a CLI command running in the background (start in the
// foreground, logs -f, events).
type Cmd struct {
	args           []string
	cmd            *exec.Cmd
	stdout, stderr *testutil.SyncBuffer
	done           chan struct{} // closed when cmd has been waited for
	cancel         context.CancelFunc
}

// Background starts the CLI with args and returns at once; the command is
// killed at the end of the test if still running.
func (d *Daemon) Background(t testing.TB, args ...string) *Cmd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &Cmd{args: args, cmd: d.Command(ctx, args...), stdout: &testutil.SyncBuffer{}, stderr: &testutil.SyncBuffer{},
		done: make(chan struct{}), cancel: cancel}
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	if err := b.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting container-runtime %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-b.done
	})
	return b
}

// Done is closed when the command has ended.
func (b *Cmd) Done() <-chan struct{} { return b.done }

// Stdout returns what the command printed on stdout so far.
func (b *Cmd) Stdout() string { return b.stdout.String() }

// Stderr returns what the command printed on stderr so far.
func (b *Cmd) Stderr() string { return b.stderr.String() }

// Wait waits for the command to end (at most timeout) and returns its
// result; a command still running then is killed and reported with -1.
func (b *Cmd) Wait(timeout time.Duration) Result {
	r := Result{Args: b.args}
	select {
	case <-b.done:
		r.Code = b.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		b.cancel()
		<-b.done
		r.Code, r.TimedOut = -1, true
	}
	r.Stdout, r.Stderr = b.stdout.String(), b.stderr.String()
	return r
}

// Interrupt sends SIGINT to the command, as Ctrl-C would.
func (b *Cmd) Interrupt() { b.cmd.Process.Signal(syscall.SIGINT) }
