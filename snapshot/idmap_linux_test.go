package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// owner returns the uid and gid of p as stat shows them.
func owner(tb testing.TB, p string) (uint32, uint32) {
	tb.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		tb.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

// mountsUnder lists the mount points at or below dir.
func mountsUnder(tb testing.TB, dir string) []string {
	tb.Helper()
	ms, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Mountpoint)
	}
	return out
}

// TestMountIdmapped: through the idmapped layers, and through an overlay
// stacked on them, host root's files read as owned by the mapping's host
// id (and host id i as HostID+i), while the layers themselves keep their
// owners; UnmountIdmapped leaves no mount and may be called again.
func TestMountIdmapped(t *testing.T) {
	testutil.RequireRoot(t)
	m := IDMapping{HostID: 100000, Size: 65536}
	low := layer(t, "etc/", "etc/passwd=root:x:0:0")
	if err := os.Chown(filepath.Join(low, "etc/passwd"), 1000, 1001); err != nil {
		t.Fatal(err)
	}
	top := layer(t, "bin/", "bin/sh=#!")
	dir := filepath.Join(t.TempDir(), "lower")
	t.Cleanup(func() { UnmountIdmapped(dir) })

	paths, err := MountIdmapped(context.Background(), dir, []string{top, low}, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || paths[0] != filepath.Join(dir, "0") || paths[1] != filepath.Join(dir, "1") {
		t.Fatalf("MountIdmapped = %q, want %s/0 and %s/1", paths, dir, dir)
	}
	for _, tc := range []struct {
		path     string
		uid, gid uint32
	}{
		{filepath.Join(paths[0], "bin/sh"), 100000, 100000},
		{filepath.Join(paths[1], "etc"), 100000, 100000},
		{filepath.Join(paths[1], "etc/passwd"), 101000, 101001},
		{filepath.Join(low, "etc/passwd"), 1000, 1001}, // the layer itself
		{filepath.Join(top, "bin/sh"), 0, 0},
	} {
		if uid, gid := owner(t, tc.path); uid != tc.uid || gid != tc.gid {
			t.Errorf("%s is owned by %d:%d, want %d:%d", tc.path, uid, gid, tc.uid, tc.gid)
		}
	}

	// The overlay of a private user namespace container, upper owned by
	// the mapping's root.
	upper, work := t.TempDir(), t.TempDir()
	target := mountpoint(t)
	if err := Mount(context.Background(), target, paths, upper, work); err != nil {
		t.Fatalf("overlay on idmapped layers: %v", err)
	}
	if uid, _ := owner(t, filepath.Join(target, "bin/sh")); uid != 100000 {
		t.Errorf("through the overlay bin/sh is owned by %d, want 100000", uid)
	}
	if err := Unmount(target); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		if err := UnmountIdmapped(dir); err != nil {
			t.Fatalf("UnmountIdmapped: %v", err)
		}
	}
	if left := mountsUnder(t, dir); len(left) > 0 {
		t.Errorf("still mounted after UnmountIdmapped: %q", left)
	}
}

// TestMountIdmappedFailureUnmounts: a layer that cannot be mounted fails
// the call, and the layers mounted before it are unmounted.
func TestMountIdmappedFailureUnmounts(t *testing.T) {
	testutil.RequireRoot(t)
	dir := filepath.Join(t.TempDir(), "lower")
	t.Cleanup(func() { UnmountIdmapped(dir) })
	missing := filepath.Join(t.TempDir(), "gone")
	_, err := MountIdmapped(context.Background(), dir, []string{layer(t, "a=1"), missing}, IDMapping{HostID: 100000, Size: 65536})
	if err == nil {
		t.Fatal("MountIdmapped of a missing layer succeeded")
	}
	if left := mountsUnder(t, dir); len(left) > 0 {
		t.Errorf("left mounted after a failed MountIdmapped: %q", left)
	}
	if _, err := MountIdmapped(context.Background(), dir, []string{layer(t, "a=1")}, IDMapping{HostID: 100000}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("an empty mapping: %v, want ErrInvalidArgument", err)
	}
}
