package container

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/mounttree"
)

// removedLeftovers are the paths that a removal takes care of: the
// container's directories (and their trash names), the runtime's state
// and two of the cgroups.
func (f *fixture) removedLeftovers(id string) []string {
	return []string{
		filepath.Join(f.root, "containers", id),
		filepath.Join(f.root, "containers", trashPrefix+id),
		filepath.Join(f.execRoot, "containers", id),
		filepath.Join(f.execRoot, "containers", trashPrefix+id),
		filepath.Join(f.execRoot, "runtime", id),
		filepath.Join(cgroupRoot, "memory", "container-runtime", id),
		filepath.Join(cgroupRoot, "pids", "container-runtime", id),
	}
}

func assertGone(t *testing.T, paths []string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s remains (%v)", p, err)
		}
	}
}

// TestAutoRemoveLeavesNothing: once an --rm container's "destroy" is
// published, the background part of its removal is done: no directory,
// trash, runtime state or cgroup is left.
func TestAutoRemoveLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{AutoRemove: true, Cmd: []string{"sh", "-c", "echo x > /f; exit 3"}})
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if res, err := f.svc.Wait(wctx, id, "removed"); err != nil || res.StatusCode != 3 {
		t.Fatalf("wait removed: %+v, %v; want code 3", res, err)
	}
	// Gone for clients at once, whatever the background still does.
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Error("inspect finds the removed container")
	}
	if _, err := os.Stat(filepath.Join(f.root, "containers", id)); !os.IsNotExist(err) {
		t.Errorf("the container's directory is still in its place: %v", err)
	}
	f.waitEvent(t, id, "destroy")
	assertGone(t, f.removedLeftovers(id))
	assertNoMounts(t, f.root)
}

// TestRecoveryAfterCrashInRemoveTail: the daemon died after an --rm
// container's removal answered (the record deleted, the root unmounted,
// the directories renamed to trash) but before the background step that
// deletes the runtime's state and cgroups and empties the trash. The next
// start removes all of it.
func TestRecoveryAfterCrashInRemoveTail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Name: "tail", Cmd: []string{"sleep", "60"}})
	r := f.svc.snapshotOf(t, id)
	// The init exits while no daemon runs; its monitor records it.
	f.exitWhileClosed(t, id)
	// What the removal did before the crash.
	d, err := openDB(f.root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.delete(id, r.Name); err != nil {
		t.Fatal(err)
	}
	d.close()
	if err := mounttree.Unmount(filepath.Join(f.root, "containers", id)); err != nil {
		t.Fatal(err)
	}
	trash := (&Service{root: f.root, execRoot: f.execRoot}).trashDirs(id)
	if len(trash) != 2 {
		t.Fatalf("trashed %q, want both directories", trash)
	}
	for _, p := range append(trash, filepath.Join(f.execRoot, "runtime", id), filepath.Join(cgroupRoot, "pids", "container-runtime", id)) {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("the crash should have left %s: %v", p, err)
		}
	}

	f.svc = f.open(t)
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Error("inspect finds the removed container")
	}
	assertGone(t, f.removedLeftovers(id))
	assertNoMounts(t, f.root)
}
