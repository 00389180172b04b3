// Package command runs the programs a test drives (peer tools such as
// ctr, docker, runc, podman, and ours) to their end, with a bound, and
// says what they did.
//
// Output goes through unlinked temporary files, not pipes: a daemon or a
// container that the command leaves running may hold a pipe open, and
// waiting for it to close would hang the test.
package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Timeout bounds one command that is expected to end by itself.
const Timeout = 2 * time.Minute

// Result is what one command did.
type Result struct {
	Args           []string
	Code           int // -1: killed after Timeout
	Stdout, Stderr string
}

func (r Result) String() string {
	return fmt.Sprintf("%q: exit %d\nstdout: %s\nstderr: %s", r.Args, r.Code, r.Stdout, r.Stderr)
}

// Run runs name with args to its end, bounded by Timeout; a command that
// times out is killed and reported with exit code -1. It fails the test
// only when the command cannot be started.
func Run(t testing.TB, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	return RunCmd(t, exec.CommandContext(ctx, name, args...))
}

// RunCmd runs cmd, prepared by the caller (environment, directory,
// context), as Run does; its Stdout and Stderr are set here.
func RunCmd(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	stdout, stderr := outputFile(t), outputFile(t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	r := Result{Args: cmd.Args, Stdout: readBack(t, stdout), Stderr: readBack(t, stderr)}
	var exitErr *exec.ExitError
	switch {
	case cmd.ProcessState != nil && !cmd.ProcessState.Exited():
		// Killed by a signal: by the context's deadline or by someone
		// else; either way it did not end by itself.
		r.Code = -1
		r.Stderr += fmt.Sprintf("\n(%v)", cmd.ProcessState)
	case errors.As(err, &exitErr):
		r.Code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %q: %v", r.Args, err)
	}
	return r
}

// MustRun runs a command that must exit 0 and returns its stdout.
func MustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	r := Run(t, name, args...)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	return r.Stdout
}

// outputFile is an unlinked temporary file to collect a command's output.
func outputFile(t testing.TB) *os.File {
	t.Helper()
	f, err := os.CreateTemp("", "command-output-")
	if err != nil {
		t.Fatalf("creating a file for a command's output: %v", err)
	}
	os.Remove(f.Name())
	return f
}

// readBack returns what was written to f, and closes it.
func readBack(t testing.TB, f *os.File) string {
	t.Helper()
	defer f.Close()
	b, err := os.ReadFile("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil {
		t.Fatalf("reading a command's output: %v", err)
	}
	return string(b)
}
