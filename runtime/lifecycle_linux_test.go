package runtime

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The tests of this file drive the OCI lifecycle: create, start, state,
// kill and delete, exit statuses, and cleanup after failures and kills.

// withoutNamespace removes the namespace of type t from b's spec.
func (b *testBundle) withoutNamespace(t specs.LinuxNamespaceType) {
	b.spec.Linux.Namespaces = slices.DeleteFunc(b.spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == t })
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		// noPidNS runs the shell outside a new PID namespace: as PID 1 of
		// one, the kernel would not let it kill itself.
		noPidNS bool
		init    bool
		want    ExitStatus
	}{
		{name: "exit 0", script: "exit 0", want: ExitStatus{}},
		{name: "exit 3", script: "exit 3", want: ExitStatus{Code: 3}},
		{name: "exit 255", script: "exit 255", want: ExitStatus{Code: 255}},
		{name: "SIGKILL", script: "kill -9 $$", noPidNS: true, want: ExitStatus{Code: 137, Signal: 9}},
		{name: "SIGTERM", script: "kill -TERM $$", noPidNS: true, want: ExitStatus{Code: 143, Signal: 15}},
		// Under the minimal init the target is PID 2 and may die of its
		// own signal; the init exits with 128+n, as a shell reports it.
		{name: "SIGKILL under init", script: "kill -9 $$", init: true, want: ExitStatus{Code: 137}},
		{name: "exit 3 under init", script: "exit 3", init: true, want: ExitStatus{Code: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", tt.script)
			if tt.noPidNS {
				b.withoutNamespace(specs.PIDNamespace)
			}
			b.init = tt.init
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			if st != tt.want {
				t.Errorf("%q: got %+v, want %+v (output %q)", tt.script, st, tt.want, out)
			}
		})
	}
}

func TestKillTerm(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.1; done`)
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "ready")
	if err := b.rt.Kill(t.Context(), id, unix.SIGTERM, false); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st != (ExitStatus{Code: 42}) {
		t.Errorf("after SIGTERM: %+v, want code 42 from the trap", st)
	}
	if out := c.out.all(t); !strings.Contains(out, "got-term") {
		t.Errorf("the trap did not run: %q", out)
	}
	if err := b.rt.Kill(t.Context(), id, unix.SIGTERM, false); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("kill of a stopped container: %v, want ErrConflict", err)
	}
	if err := b.rt.Delete(t.Context(), id, false); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func TestKillAll(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "sleep 100 & sleep 100 & echo ready; wait")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "ready")
	pids, err := b.rt.Pids(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) != 3 || !slices.Contains(pids, c.p.Pid) {
		t.Fatalf("Pids: %v, want the shell %d and two sleeps", pids, c.p.Pid)
	}
	if err := b.rt.Kill(t.Context(), id, unix.SIGKILL, true); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st.Signal != int(unix.SIGKILL) {
		t.Errorf("init after kill --all: %+v, want SIGKILL", st)
	}
	// The pipe closes only once every process that held it is gone.
	c.out.all(t)
	for _, pid := range pids {
		if err := unix.Kill(pid, 0); err == nil && pid != c.p.Pid {
			t.Errorf("process %d survived kill --all (%s)", pid, procSummary(pid))
		}
	}
	if err := b.rt.Delete(t.Context(), id, false); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	b := newTestBundle(t, "/bin/sleep", "60")
	id := testID(t)
	leaks := watchLeaks(t, b, id)
	ctx := t.Context()
	c := b.create(t, id, CreateOptions{})

	st := c.state(t)
	if st.Status != StatusCreated || st.Pid != c.p.Pid || st.ID != id || st.Bundle != b.dir {
		t.Fatalf("after create: %+v, want created with pid %d", st, c.p.Pid)
	}

	// A second create with the same id fails and leaves the first alone.
	if _, err := b.tryCreate(id, CreateOptions{}); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Errorf("create of an existing id: %v, want ErrAlreadyExists", err)
	}
	if st := c.state(t); st.Status != StatusCreated || st.Pid != c.p.Pid {
		t.Errorf("after the second create: %+v, want the first still created", st)
	}

	c.start(t)
	if st := c.state(t); st.Status != StatusRunning || st.Pid != c.p.Pid {
		t.Errorf("after start: %+v, want running", st)
	}
	if err := b.rt.Start(ctx, id); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("second start: %v, want ErrConflict", err)
	}
	if err := b.rt.Delete(ctx, id, false); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("delete of a running container: %v, want ErrConflict", err)
	}
	if st := c.state(t); st.Status != StatusRunning {
		t.Errorf("after the refused delete: %+v, want running", st)
	}

	list, err := b.rt.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("List: %+v, %v; want only %s", list, err, id)
	}

	if err := b.rt.Kill(ctx, id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st != (ExitStatus{Code: 137, Signal: 9}) {
		t.Errorf("exit after SIGKILL: %+v", st)
	}
	if st := c.state(t); st.Status != StatusStopped || st.Pid != 0 {
		t.Errorf("after kill: %+v, want stopped without pid", st)
	}
	if err := b.rt.Delete(ctx, id, false); err != nil {
		t.Fatalf("delete of a stopped container: %v", err)
	}
	if _, err := b.rt.State(ctx, id); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("state after delete: %v, want ErrNotFound", err)
	}
	leaks.check(t)
}

func TestDeleteForce(t *testing.T) {
	for _, started := range []bool{false, true} {
		name := map[bool]string{false: "created", true: "running"}[started]
		t.Run(name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", "sleep 100 & exec sleep 100")
			id := testID(t)
			leaks := watchLeaks(t, b, id)
			c := b.create(t, id, CreateOptions{})
			if started {
				c.start(t)
			}
			if err := b.rt.Delete(t.Context(), id, true); err != nil {
				t.Fatalf("delete --force of a %s container: %v", name, err)
			}
			if st := c.wait(t); st.Signal != int(unix.SIGKILL) {
				t.Errorf("init after delete --force: %+v, want SIGKILL", st)
			}
			if _, err := b.rt.State(t.Context(), id); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("state after delete: %v, want ErrNotFound", err)
			}
			leaks.check(t)
		})
	}
}

func TestUnknownContainer(t *testing.T) {
	b := newTestBundle(t)
	ctx := context.Background()
	const id = "no-such-container"
	ops := map[string]func() error{
		"state":  func() error { _, err := b.rt.State(ctx, id); return err },
		"start":  func() error { return b.rt.Start(ctx, id) },
		"kill":   func() error { return b.rt.Kill(ctx, id, unix.SIGTERM, false) },
		"delete": func() error { return b.rt.Delete(ctx, id, true) },
		"exec":   func() error { _, err := b.rt.Exec(ctx, id, processSpec("true"), ExecOptions{}); return err },
		"pids":   func() error { _, err := b.rt.Pids(ctx, id); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			if err := op(); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("%s of an unknown container: %v, want ErrNotFound", name, err)
			}
		})
	}
}

func TestDeleteAfterSIGKILL(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "sleep 100 & echo ready; exec sleep 100")
	id := testID(t)
	leaks := watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "ready")
	// Killed from the host behind the runtime's back.
	if err := unix.Kill(c.p.Pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st.Signal != int(unix.SIGKILL) {
		t.Errorf("exit: %+v, want SIGKILL", st)
	}
	if st := c.state(t); st.Status != StatusStopped {
		t.Errorf("state after SIGKILL: %+v, want stopped", st)
	}
	if err := b.rt.Delete(t.Context(), id, false); err != nil {
		t.Fatalf("delete: %v", err)
	}
	leaks.check(t)
}

func TestCreateFailsCleanly(t *testing.T) {
	tests := []struct {
		name string
		edit func(*testBundle)
		// want is a piece of the error.
		want string
	}{
		{"args[0] not found", func(b *testBundle) { b.spec.Process.Args = []string{"/no/such/binary"} }, "/no/such/binary"},
		{"args[0] not in PATH", func(b *testBundle) { b.spec.Process.Args = []string{"no-such-command"} }, "no-such-command"},
		{"bogus file system type", func(b *testBundle) {
			b.spec.Mounts = append(b.spec.Mounts, specs.Mount{Destination: "/mnt", Type: "nosuchfs", Source: "none"})
		}, "nosuchfs"},
		{"bind source missing", func(b *testBundle) {
			b.spec.Mounts = append(b.spec.Mounts, specs.Mount{Destination: "/mnt", Type: "bind", Source: "/no/such/dir", Options: []string{"rbind"}})
		}, "/no/such/dir"},
		{"unknown sysctl", func(b *testBundle) { b.spec.Linux.Sysctl = map[string]string{"net.ipv4.no_such_key": "1"} }, "no_such_key"},
		{"rlimit above the hard limit", func(b *testBundle) {
			b.spec.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 1 << 30, Hard: 1 << 30}}
		}, "RLIMIT_NOFILE"},
		{"unmapped gid 5 for devpts in a user namespace", func(b *testBundle) {
			b.withUserNamespace(t, 100000, 1)
		}, "devpts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/true")
			tt.edit(b)
			id := testID(t)
			leaks := watchLeaks(t, b, id)
			c, err := b.tryCreate(id, CreateOptions{})
			if err == nil {
				c.cleanup(t)
				t.Fatalf("create succeeded")
			}
			t.Logf("create failed: %v", err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if _, err := b.rt.State(t.Context(), id); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("state after the failed create: %v, want ErrNotFound", err)
			}
			leaks.check(t)
		})
	}
}

// TestCreatePhasesAreStamped: Create reports every phase of
// createPhases, stamped by the stage and the init (so the steps that
// always happen take some time), and together they fit in the time the
// caller saw Create take.
func TestCreatePhasesAreStamped(t *testing.T) {
	tb := newTestBundle(t, "/bin/true")
	id := testID(t)
	ctx := context.Background()
	before := time.Now()
	p, err := tb.rt.Create(ctx, id, CreateOptions{Bundle: tb.dir, Spec: tb.spec})
	took := time.Since(before)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.rt.Delete(ctx, id, true) })
	var names []string
	var sum time.Duration
	for _, ph := range p.Phases {
		names = append(names, ph.Name)
		sum += ph.Duration
		if ph.Duration < 0 {
			t.Errorf("phase %s: %v", ph.Name, ph.Duration)
		}
	}
	if !slices.Equal(names, createPhases) {
		t.Fatalf("phases %v, want %v", names, createPhases)
	}
	for _, ph := range p.Phases {
		switch ph.Name {
		case "stage-exec", "namespaces", "init-start", "mounts", "pivot_root", "privileges":
			if ph.Duration == 0 {
				t.Errorf("phase %s took no time: not stamped where it happens", ph.Name)
			}
		}
	}
	if sum > took {
		t.Errorf("the phases add up to %v, more than the %v Create took: %v", sum, took, p.Phases)
	}
}
