package container

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// aheadMonitorPid returns the PID of the monitor Create started ahead for
// id, once it is ready.
func aheadMonitorPid(tb testing.TB, s *Service, id string) int {
	tb.Helper()
	e, err := s.lookup(id)
	if err != nil {
		tb.Fatal(err)
	}
	e.mu.Lock()
	p := e.monitor
	e.mu.Unlock()
	if p == nil {
		tb.Fatal("Create started no monitor ahead")
	}
	mon, err := p.wait()
	if err != nil {
		tb.Fatalf("the monitor started ahead failed: %v", err)
	}
	return mon.Pid()
}

// gone reports whether the process pid is gone (the Service reaps its
// monitors once they exit).
func gone(pid int) bool { return unix.Kill(pid, 0) == unix.ESRCH }

// TestStartUsesMonitorStartedAhead: the start of a new container runs it
// under the monitor Create started, whose log gets the output; a second
// start, with none ahead, starts its own.
func TestStartUsesMonitorStartedAhead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"sh", "-c", "echo ahead; sleep 60"}})
	if err != nil {
		t.Fatal(err)
	}
	pid := aheadMonitorPid(t, f.svc, c.ID)
	if err := f.svc.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.svc.snapshotOf(t, c.ID).State.MonitorPid; got != pid {
		t.Errorf("the run's monitor is %d, want %d, the one started ahead", got, pid)
	}
	waitLog(t, f, c.ID, "ahead\n")
	zero := 0
	if err := f.svc.Stop(ctx, c.ID, &zero); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, c.ID); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if got := f.svc.snapshotOf(t, c.ID).State.MonitorPid; got == pid || got == 0 {
		t.Errorf("the second run's monitor is %d (the first was %d)", got, pid)
	}
	waitLog(t, f, c.ID, "ahead\nahead\n")
}

// TestMonitorStartedAheadIsDiscarded: a monitor started ahead does not
// outlive the removal of its container, nor monitorKeep without a start,
// after which a start still works.
func TestMonitorStartedAheadIsDiscarded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	f.svc.monitorKeep = time.Hour // only the removal ends it
	removed, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	pid := aheadMonitorPid(t, f.svc, removed.ID)
	if err := f.svc.Remove(ctx, removed.ID, false); err != nil {
		t.Fatal(err)
	}
	if !testutil.Eventually(20*time.Second, func() bool { return gone(pid) }) {
		t.Errorf("monitor %d of a removed container still runs", pid)
	}

	f.svc.monitorKeep = 100 * time.Millisecond
	idle, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"echo", "late"}})
	if err != nil {
		t.Fatal(err)
	}
	pid = aheadMonitorPid(t, f.svc, idle.ID)
	if !testutil.Eventually(20*time.Second, func() bool { return gone(pid) }) {
		t.Fatalf("monitor %d of a container never started still runs", pid)
	}
	e, err := f.svc.lookup(idle.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	decoded := e.decoded
	e.mu.Unlock()
	if decoded != nil {
		t.Error("the spec decoded for the first start is kept after its monitor went")
	}
	if err := f.svc.Start(ctx, idle.ID); err != nil {
		t.Fatalf("start after the monitor ahead was discarded: %v", err)
	}
	f.wait(t, idle.ID)
	if got := f.logs(t, idle.ID); got != "late\n" {
		t.Errorf("logs %q", got)
	}
}

// monitorsUnder returns the PIDs of the monitors whose directory is under
// execRoot.
func monitorsUnder(execRoot string) []int {
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err == nil && bytes.HasPrefix(b, []byte("container-runtime-monitor\x00"+execRoot+"/")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestFailedCreateLeavesNoMonitor: a create that fails after it started
// the monitor ahead (here: a hook with a relative path, refused while
// the spec is built) leaves neither the monitor nor its directory.
func TestFailedCreateLeavesNoMonitor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"true"},
		Hooks: []api.Hook{{Stage: "start", Path: "relative/hook"}}})
	if err == nil {
		t.Fatal("a hook with a relative path was accepted")
	}
	if pids := monitorsUnder(f.execRoot); len(pids) != 0 {
		t.Errorf("monitors left: %v", pids)
	}
	if ents, _ := os.ReadDir(filepath.Join(f.execRoot, "containers")); len(ents) != 0 {
		t.Errorf("monitor directories left: %v", ents)
	}
	if ents, _ := os.ReadDir(filepath.Join(f.root, "containers")); len(ents) != 0 {
		t.Errorf("container directories left: %v", ents)
	}
}
