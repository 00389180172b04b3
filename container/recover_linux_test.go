package container

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/monitor"
)

// TestRecoveryKeepsRunningContainer: a new Service on the same roots (a
// daemon restart) lists the running container, follows its log and stops
// it.
func TestRecoveryKeepsRunningContainer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Name: "survivor", Cmd: []string{"sh", "-c", "echo before; while :; do sleep 0.1; if [ -e /tmp/go ]; then echo after; fi; done"}})
	waitLog(t, f, id, "before")
	pid := f.svc.snapshotOf(t, id).State.Pid
	f.svc.Close()
	f.svc = f.open(t)

	list, err := f.svc.List(ctx, false)
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].State != StateRunning || list[0].Pid != pid {
		t.Fatalf("after restart: list %+v, %v", list, err)
	}
	// Its log continues.
	if _, err := os.Create(filepath.Join(f.svc.rootfsDir(id), "tmp/go")); err != nil {
		t.Fatal(err)
	}
	waitLog(t, f, id, "after")
	zero := 0
	if err := f.svc.Stop(ctx, id, &zero); err != nil {
		t.Fatalf("stop after restart: %v", err)
	}
	if in, _ := f.svc.Inspect(ctx, id); in.State != StateExited || in.StateDetail.ExitCode != 137 {
		t.Errorf("after stop: %s %d", in.State, in.StateDetail.ExitCode)
	}
}

// TestRecoveryRecordsExitWhileDown: the container exits while no Service
// watches; the next one records the exit and cleans the run up.
func TestRecoveryRecordsExitWhileDown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sleep", "60"}})
	f.exitWhileDown(t, id)
	in, err := f.svc.Inspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.State != StateExited || in.StateDetail.ExitCode != 137 || in.StateDetail.FinishedAt.IsZero() {
		t.Errorf("after restart: %+v", in.StateDetail)
	}
	if _, err := f.rt.State(ctx, id); err == nil {
		t.Errorf("the runtime still knows the container")
	}
	assertNoMounts(t, f.root)
}

// TestRemoveLeavesNothing: after rm -f of a running container, no mount,
// cgroup, runtime state or directory remains.
func TestRemoveLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sleep", "60"}})
	if err := f.svc.Remove(ctx, id, false); err == nil {
		t.Fatal("removed a running container without force")
	}
	if err := f.svc.Remove(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	assertNoMounts(t, f.root)
	for _, p := range []string{
		filepath.Join(f.root, "containers", id),
		filepath.Join(f.execRoot, "containers", id),
		filepath.Join(f.execRoot, "runtime", id),
		filepath.Join(cgroupRoot, "memory", "container-runtime", id),
		filepath.Join(cgroupRoot, "pids", "container-runtime", id),
	} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s remains (%v)", p, err)
		}
	}
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Error("inspect finds the removed container")
	}
}

func TestAutoRemove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{AutoRemove: true, Cmd: []string{"sh", "-c", "exit 7"}})
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := f.svc.Wait(wctx, id, "removed")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 7 {
		t.Errorf("wait removed: code %d, want 7", res.StatusCode)
	}
	f.waitEvent(t, id, "destroy")
	if _, err := os.Stat(filepath.Join(f.root, "containers", id)); !os.IsNotExist(err) {
		t.Errorf("container directory remains: %v", err)
	}
}

func (s *Service) snapshotOf(tb testing.TB, id string) *record {
	tb.Helper()
	e, err := s.lookup(id)
	if err != nil {
		tb.Fatal(err)
	}
	return e.snapshot()
}

func (f *fixture) svc2dir(id string) string { return filepath.Join(f.execRoot, "containers", id) }

// TestRecoveryRemovesOrphans: what a container without a record left (a
// crash in the middle of a remove) is cleaned at the next start.
func TestRecoveryRemovesOrphans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Name: "orphan", Cmd: []string{"sleep", "60"}})
	pid := f.svc.snapshotOf(t, id).State.Pid
	if err := f.svc.db.delete(id, "orphan"); err != nil {
		t.Fatal(err)
	}
	f.svc.Close()
	f.svc = f.open(t)
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Fatal("the orphan is listed")
	}
	assertNoMounts(t, f.root)
	for _, p := range []string{
		filepath.Join(f.root, "containers", id),
		filepath.Join(f.execRoot, "containers", id),
		filepath.Join(f.execRoot, "runtime", id),
	} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s remains (%v)", p, err)
		}
	}
	// The runtime's delete killed it; its monitor reaps it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.HasPrefix(string(b), "sleep") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the orphan's process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exitWhileDown closes f's Service, kills container id's init and waits
// until its monitor recorded the exit, then opens a new Service: an exit
// that happened while no daemon ran.
func (f *fixture) exitWhileDown(t *testing.T, id string) {
	t.Helper()
	f.exitWhileClosed(t, id)
	f.svc = f.open(t)
}

// exitWhileClosed is exitWhileDown without the new Service: the test
// changes what the closed one left first.
func (f *fixture) exitWhileClosed(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	r := f.svc.snapshotOf(t, id)
	f.svc.Close()
	f.svc = nil
	if err := f.rt.Kill(ctx, id, unix.SIGKILL, true); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := monitor.WaitExit(wctx, f.svc2dir(id), r.State.MonitorPid); err != nil {
		t.Fatalf("the monitor recorded no exit: %v", err)
	}
}

// TestRecoveryRemovesRmContainerWithLostSpec: the spec of an --rm
// container is written without a sync (saveSpec), so a power cut may
// leave its record without it. Such a created --rm container goes at the
// next daemon start; one with its spec, and a normal container (whose
// spec is synced, so a damaged one is the operator's to see), stay.
func TestRecoveryRemovesRmContainerWithLostSpec(t *testing.T) {
	for _, tc := range []struct {
		name             string
		autoRemove, lose bool
		kept             bool
	}{
		{name: "rm, spec lost", autoRemove: true, lose: true, kept: false},
		{name: "rm, spec kept", autoRemove: true, lose: false, kept: true},
		{name: "normal, spec lost", autoRemove: false, lose: true, kept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", AutoRemove: tc.autoRemove, Cmd: []string{"true"}})
			if err != nil {
				t.Fatal(err)
			}
			name := f.svc.snapshotOf(t, c.ID).Name
			f.svc.Close()
			if tc.lose {
				// What delayed allocation leaves of a file whose data
				// never reached the disk: its name, no content.
				if err := os.Truncate(f.svc.specPath(c.ID), 0); err != nil {
					t.Fatal(err)
				}
			}
			f.svc = f.open(t)
			in, err := f.svc.Inspect(ctx, c.ID)
			if tc.kept {
				if err != nil || in.State != StateCreated {
					t.Fatalf("after restart: %+v, %v; want it created", in.State, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("after restart the container is still there (%s)", in.State)
			}
			if _, err := os.Stat(f.svc.containerDir(c.ID)); !os.IsNotExist(err) {
				t.Errorf("its directory: %v; want it removed", err)
			}
			if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: name}); err != nil {
				t.Errorf("a new container with its name: %v", err)
			}
		})
	}
}
