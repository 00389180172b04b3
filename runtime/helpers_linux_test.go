package runtime

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

var probeOnce struct {
	sync.Once
	path string
	err  error
}

// TestMain removes the probe built for this test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	if probeOnce.path != "" {
		os.RemoveAll(filepath.Dir(probeOnce.path))
	}
	os.Exit(code)
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
		testutil.Missing(t, "needs root: creates namespaces, mounts and cgroups")
	}
}

// testBundle is a busybox bundle with the probe in /bin/probe and the
// default spec running args.
type testBundle struct {
	dir    string
	rootfs string
	spec   *specs.Spec
	rt     *Runtime
	// init is CreateOptions.Init for run and tryRun.
	init bool
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
	return &testBundle{dir: dir, rootfs: rootfs, spec: spec, rt: rt}
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
		Bundle: b.dir, Spec: b.spec, Stdio: Stdio{Stdout: w, Stderr: w}, Init: b.init,
	})
	w.Close()
	<-done
	r.Close()
	return strings.TrimSpace(buf.String()), st, err
}

// testID returns a container id unique to this run of test t, so that
// cgroups of other test binaries running beside us never collide with ours.
func testID(t testing.TB) string {
	t.Helper()
	name := []byte(t.Name())
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
		if !ok {
			name[i] = '-'
		}
	}
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("rt-%s-%x", name, r)
}

// output collects what a container writes to a pipe.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

// collect reads r until EOF in the background, then closes it.
func collect(r *os.File) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		defer r.Close()
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return o
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the output contains s.
func (o *output) waitFor(t testing.TB, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(o.String(), s) {
		select {
		case <-o.done:
			if !strings.Contains(o.String(), s) {
				t.Fatalf("output ended without %q: %q", s, o.String())
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output after 20s: %q", s, o.String())
		}
	}
}

// all waits until every writer closed the pipe and returns the output,
// trimmed.
func (o *output) all(t testing.TB) string {
	t.Helper()
	select {
	case <-o.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("output still open after 20s: %q", o.String())
	}
	return strings.TrimSpace(o.String())
}

// started is a container made by Create; the test starts and waits for it.
type started struct {
	b      *testBundle
	id     string
	p      *Process
	out    *output
	waited bool
}

// create creates container id from b.spec with opts (Bundle and Spec are
// filled in); without a terminal its stdout and stderr are collected.
// Cleanup deletes the container and reaps its process.
func (b *testBundle) create(t testing.TB, id string, opts CreateOptions) *started {
	t.Helper()
	c, err := b.tryCreate(id, opts)
	if err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	t.Cleanup(func() { c.cleanup(t) })
	return c
}

// tryCreate is create without the Fatal and without the cleanup: a
// failing create must leave nothing to clean.
func (b *testBundle) tryCreate(id string, opts CreateOptions) (*started, error) {
	opts.Bundle, opts.Spec = b.dir, b.spec
	c := &started{b: b, id: id}
	if !b.spec.Process.Terminal && opts.Stdio == (Stdio{}) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer w.Close()
		c.out = collect(r)
		opts.Stdio = Stdio{Stdout: w, Stderr: w}
	}
	p, err := b.rt.Create(context.Background(), id, opts)
	if err != nil {
		return nil, err
	}
	c.p = p
	return c, nil
}

func (c *started) cleanup(t testing.TB) {
	t.Helper()
	if err := c.b.rt.Delete(context.Background(), c.id, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("cleanup: delete %s: %v", c.id, err)
	}
	if !c.waited {
		c.p.Wait()
	}
}

func (c *started) start(t testing.TB) {
	t.Helper()
	if err := c.b.rt.Start(context.Background(), c.id); err != nil {
		t.Fatalf("start %s: %v", c.id, err)
	}
}

// wait waits for the init process to exit.
func (c *started) wait(t testing.TB) ExitStatus {
	t.Helper()
	st, err := c.p.Wait()
	c.waited = true
	if err != nil {
		t.Fatalf("wait %s: %v", c.id, err)
	}
	return st
}

// state returns the container's state.
func (c *started) state(t testing.TB) *State {
	t.Helper()
	st, err := c.b.rt.State(context.Background(), c.id)
	if err != nil {
		t.Fatalf("state %s: %v", c.id, err)
	}
	return st
}

// execIn runs p in the running container and returns its output and exit
// status.
func (c *started) execIn(t testing.TB, p *specs.Process) (string, ExitStatus) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out := collect(r)
	ep, err := c.b.rt.Exec(context.Background(), c.id, p, ExecOptions{Stdio: Stdio{Stdout: w, Stderr: w}})
	w.Close()
	if err != nil {
		t.Fatalf("exec in %s: %v (output %q)", c.id, err, out.all(t))
	}
	st, err := ep.Wait()
	if err != nil {
		t.Fatalf("waiting for exec in %s: %v", c.id, err)
	}
	return out.all(t), st
}

// processSpec is a process for Exec running args as root with the
// default spec's environment.
func processSpec(args ...string) *specs.Process {
	return &specs.Process{
		Args: args,
		Env:  []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cwd:  "/",
	}
}
