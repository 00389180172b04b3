package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cmdTimeout bounds one CLI command that is expected to end by itself.
const cmdTimeout = 2 * time.Minute

// result is what one CLI command did.
type result struct {
	args           []string
	code           int // -1: did not end in time, killed by a signal, or could not start
	timedOut       bool
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("container-runtime %s: exit %d\nstdout: %s\nstderr: %s",
		strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// env is the CLI's environment: ours, with the daemon's address.
func (d *daemon) env() []string {
	return append(os.Environ(), "CONTAINER_RUNTIME_HOST=unix://"+d.socket)
}

// command returns the CLI command for args, killed when ctx ends.
func (d *daemon) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bins.cli, args...)
	cmd.Env = d.env()
	cmd.Dir = d.dir
	// A container may keep a copy of our pipes: do not wait for it.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// exec runs the CLI to its end, bounded by timeout, with stdin (nil: none).
// It is safe from any goroutine: it never fails the test itself.
func (d *daemon) exec(timeout time.Duration, stdin io.Reader, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := d.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	r := result{args: args}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code, r.timedOut = -1, true
		fmt.Fprintf(&stderr, "\n(killed after %v)", timeout)
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		r.code = -1
		fmt.Fprintf(&stderr, "\n(%v)", err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// run runs the CLI to its end (bounded by cmdTimeout).
func (d *daemon) run(t testing.TB, args ...string) result {
	t.Helper()
	return d.exec(cmdTimeout, nil, args...)
}

// ok runs the CLI and fails the test unless it exits 0; it returns stdout.
func (d *daemon) ok(t testing.TB, args ...string) string {
	t.Helper()
	r := d.run(t, args...)
	if r.code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.log())
	}
	return r.stdout
}

// syncBuffer is a bytes.Buffer safe for one writer and many readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// bgCommand is a CLI command running in the background (start in the
// foreground, logs -f, events).
type bgCommand struct {
	args           []string
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{} // closed when cmd has been waited for
	cancel         context.CancelFunc
}

// background starts the CLI with args and returns at once; the command is
// killed at the end of the test if still running.
func (d *daemon) background(t testing.TB, args ...string) *bgCommand {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &bgCommand{args: args, cmd: d.command(ctx, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{},
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

// wait waits for the command to end (at most timeout) and returns its
// result; a command still running then is killed and reported with -1.
func (b *bgCommand) wait(timeout time.Duration) result {
	r := result{args: b.args}
	select {
	case <-b.done:
		r.code = b.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		b.cancel()
		<-b.done
		r.code, r.timedOut = -1, true
	}
	r.stdout, r.stderr = b.stdout.String(), b.stderr.String()
	return r
}

// interrupt sends SIGINT to the command, as Ctrl-C would.
func (b *bgCommand) interrupt() { b.cmd.Process.Signal(syscall.SIGINT) }

// waitFor polls cond every 50 ms until it is true or timeout passes, and
// reports whether it became true.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
