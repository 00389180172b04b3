package container

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
)

// TestExitSeenEarly: an attach session that relays the exit frame wakes
// the exit watcher (exitSeen) before the monitor's own exit; a wake while
// the container still runs (a session of an earlier run) changes nothing,
// and the exit that follows is recorded with its code.
func TestExitSeenEarly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sh", "-c", "read x; exit 9"}, OpenStdin: true})
	e, err := f.svc.lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	e.exitSeen()
	time.Sleep(100 * time.Millisecond) // the watcher looks, and waits on
	if r := e.snapshot(); r.State.Status != StateRunning {
		t.Fatalf("state %s after a stray wake, want running", r.State.Status)
	}
	if err := f.rt.Kill(ctx, id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := f.svc.Wait(wctx, id, "not-running")
	if err != nil || res.StatusCode != 128+int(unix.SIGKILL) {
		t.Fatalf("wait: %+v, %v; want code %d", res, err, 128+int(unix.SIGKILL))
	}
	if r := e.snapshot(); r.State.ExitCode != 128+int(unix.SIGKILL) || r.State.Error != "" {
		t.Errorf("recorded exit %+v", r.State)
	}
}

// TestAutoRemoveSharedPidNamespace: an --rm container in the host's PID
// namespace may leave processes behind when its init exits (no kernel
// ends them with it), so its removal kills them and removes its cgroups
// before it answers, as Docker does.
func TestAutoRemoveSharedPidNamespace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{AutoRemove: true, PidMode: "host", Cmd: []string{"sh", "-c", "sleep 60 & exit 0"}})
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := f.svc.Wait(wctx, id, "removed"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"pids", "memory"} {
		p := filepath.Join(cgroupRoot, c, "container-runtime", id)
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s remains when the removal answered (%v)", p, err)
		}
	}
}
