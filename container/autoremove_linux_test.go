package container

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/api"
)

// rootfsVolatile reports whether the container's root file system is
// mounted with OverlayFS's volatile option ("volatile", or
// "fsync=volatile" since Linux 6.12).
func rootfsVolatile(tb testing.TB, s *Service, id string) bool {
	tb.Helper()
	ms, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(s.rootfsDir(id)))
	if err != nil || len(ms) != 1 {
		tb.Fatalf("finding the root file system of %s: %d mounts, %v", id, len(ms), err)
	}
	opts := "," + ms[0].VFSOptions + ","
	return strings.Contains(opts, ",volatile,") || strings.Contains(opts, ",fsync=volatile,")
}

// TestAutoRemoveRootfsIsVolatile: the upper directory of an --rm
// container goes with it, so its mount skips syncs; any other
// container's writes are synced as usual.
func TestAutoRemoveRootfsIsVolatile(t *testing.T) {
	f := newFixture(t)
	rm := f.run(t, api.ContainerCreate{AutoRemove: true, Cmd: []string{"sleep", "60"}})
	kept := f.run(t, api.ContainerCreate{Cmd: []string{"sleep", "60"}})
	if !rootfsVolatile(t, f.svc, rm) {
		t.Errorf("the root file system of an --rm container is not volatile")
	}
	if rootfsVolatile(t, f.svc, kept) {
		t.Errorf("the root file system of a container without --rm is volatile")
	}
}

// TestRecoveryRemovesAutoRemoveExitedWhileDown: an --rm container whose
// exit no daemon recorded (its exit is not saved before the removal, so a
// crash between the two leaves the record running) is removed by the next
// daemon, its run cleaned up.
func TestRecoveryRemovesAutoRemoveExitedWhileDown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{AutoRemove: true, Cmd: []string{"sleep", "60"}})
	f.exitWhileDown(t, id)
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Errorf("the --rm container is still there after the restart")
	}
	f.waitEvent(t, id, "destroy")
	if _, err := f.rt.State(ctx, id); err == nil {
		t.Errorf("the runtime still knows the container")
	}
	if _, err := os.Stat(filepath.Join(f.root, "containers", id)); !os.IsNotExist(err) {
		t.Errorf("container directory remains: %v", err)
	}
	assertNoMounts(t, f.root)
}
