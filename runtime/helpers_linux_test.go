package runtime

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
)

var probeOnce struct {
	sync.Once
	path string
	err  error
}

// probeBinary builds testdata/probe statically, once per test binary.
func probeBinary(t testing.TB) string {
	t.Helper()
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "probe-")
		if err != nil {
			probeOnce.err = err
			return
		}
		out := filepath.Join(dir, "probe")
		cmd := exec.Command("go", "build", "-o", out, "./testdata/probe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			probeOnce.err = &buildError{err: err, out: string(b)}
			return
		}
		probeOnce.path = out
	})
	if probeOnce.err != nil {
		t.Fatalf("building the probe: %v", probeOnce.err)
	}
	return probeOnce.path
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates namespaces, mounts and cgroups")
	}
}

// testBundle is a busybox bundle with the probe in /bin/probe and the
// default spec running args.
type testBundle struct {
	dir  string
	spec *specs.Spec
	rt   *Runtime
}

func newTestBundle(t testing.TB, args ...string) *testBundle {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(probeBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "probe"), probe, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = args
	spec.Root.Path = rootfs
	rt, err := New(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	return &testBundle{dir: dir, spec: spec, rt: rt}
}

// run runs the container to completion and returns its output.
func (b *testBundle) run(t testing.TB, id string) (string, ExitStatus) {
	t.Helper()
	out, st, err := b.tryRun(id)
	if err != nil {
		t.Fatalf("run %s: %v (output %q)", id, err, out)
	}
	return out, st
}

func (b *testBundle) tryRun(id string) (string, ExitStatus, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", ExitStatus{}, err
	}
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() { buf.ReadFrom(r); close(done) }()
	st, err := b.rt.Run(context.Background(), id, CreateOptions{
		Bundle: b.dir, Spec: b.spec, Stdio: Stdio{Stdout: w, Stderr: w},
	})
	w.Close()
	<-done
	r.Close()
	return strings.TrimSpace(buf.String()), st, err
}
