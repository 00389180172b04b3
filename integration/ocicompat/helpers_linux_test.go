package ocicompat

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
)

// envBinary names a prebuilt container-runtime-oci to test instead of
// building one.
const envBinary = "CONTAINER_RUNTIME_OCI"

// cmdTimeout bounds one command of a peer tool (ctr, docker, runc).
const cmdTimeout = 60 * time.Second

// requireRoot skips the test unless it runs as root.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: starts daemons and containers")
	}
}

// requireTools returns the paths of the named programs, skipping the test
// when one is not installed.
func requireTools(t testing.TB, names ...string) map[string]string {
	t.Helper()
	paths := make(map[string]string, len(names))
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			t.Skipf("needs %s (scripts/deps-debian installs it): %v", n, err)
		}
		paths[n] = p
	}
	return paths
}

// ociBinary returns the container-runtime-oci to test: $CONTAINER_RUNTIME_OCI,
// or a fresh build of this module's command.
func ociBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(envBinary); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatalf("$%s: %v", envBinary, err)
		}
		if _, err := os.Stat(abs); err != nil {
			t.Fatalf("$%s: %v", envBinary, err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "container-runtime-oci")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin,
		"github.com/container-runtime/container-runtime/cmd/container-runtime-oci")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building container-runtime-oci: %v\n%s", err, out)
	}
	return bin
}

// busyboxRootfs builds a busybox root filesystem in a new temporary
// directory and returns its path.
func busyboxRootfs(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		t.Skipf("needs busybox-static: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "rootfs")
	if err := busyboxfs.Create(dir); err != nil {
		t.Fatalf("building the busybox rootfs: %v", err)
	}
	return dir
}

// result is what one command did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("%q: exit %d\nstdout: %s\nstderr: %s", r.args, r.code, r.stdout, r.stderr)
}

// run runs a command to its end, bounded by cmdTimeout; a command that
// times out is killed and reported with exit code -1. Output goes through
// files, not pipes: a container or daemon the command leaves running may
// hold them open.
func run(t testing.TB, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	stdout, stderr := outputFile(t), outputFile(t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	r := result{args: append([]string{name}, args...), stdout: readBack(t, stdout), stderr: readBack(t, stderr)}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code = -1
		r.stderr += fmt.Sprintf("\n(killed after %v)", cmdTimeout)
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %q: %v", r.args, err)
	}
	return r
}

// outputFile is an unlinked temporary file to collect a command's output.
func outputFile(t testing.TB) *os.File {
	t.Helper()
	f, err := os.CreateTemp("", "ocicompat-output-")
	if err != nil {
		t.Fatal(err)
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
		t.Fatalf("reading command output: %v", err)
	}
	return string(b)
}

// mustRun runs a command that must exit 0 and returns its stdout.
func mustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	r := run(t, name, args...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return r.stdout
}

// waitFor polls cond every interval until it holds or timeout passes,
// and fails the test with what when it never does.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// uniqueName returns prefix with this process's PID and the time, for
// names shared on the host (cgroup parents).
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6)
}

// tail returns the last n lines of the file at path, for failure reports.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
