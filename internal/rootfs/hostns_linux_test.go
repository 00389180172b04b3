package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// TestUnmountHostRootRemovesEverything binds a directory as a container
// without a mount namespace has it (BindHostRoot), mounts below it and
// stacks a mount on top of it, as the container's own processes may, and
// checks that UnmountHostRoot leaves the mount table as it was, that the
// bind is private (no mount below it shows a peer group), and that a
// second call is a no-op.
func TestUnmountHostRootRemovesEverything(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	watchHostMounts(t, base)
	rootfs := filepath.Join(base, "rootfs")
	if err := os.MkdirAll(filepath.Join(rootfs, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The directory holding the rootfs is a shared mount, as "/" is
	// on systemd hosts: the bind of the rootfs must not stay shared.
	if err := unix.Mount(base, base, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(base, unix.MNT_DETACH) })
	if err := unix.Mount("", base, "", unix.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	before := hostMountsUnder(t, base)
	h, err := BindHostRoot(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	if err := hostRootReady(rootfs); err != nil {
		t.Errorf("after BindHostRoot: %v", err)
	}
	if err := unix.Mount("proc", filepath.Join(rootfs, "proc"), "proc", 0, ""); err != nil {
		UnmountHostRoot(h)
		t.Fatal(err)
	}
	if err := unix.Mount("top", rootfs, "tmpfs", 0, ""); err != nil {
		UnmountHostRoot(h)
		t.Fatal(err)
	}
	ms, err := mountinfo.GetMounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if (m.Mountpoint == rootfs || strings.HasPrefix(m.Mountpoint, rootfs+"/")) && strings.Contains(m.Optional, "shared:") {
			t.Errorf("mount %s is shared (%s): mounts under it would propagate", m.Mountpoint, m.Optional)
		}
	}
	if err := UnmountHostRoot(h); err != nil {
		t.Fatal(err)
	}
	if after := hostMountsUnder(t, base); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("mounts under %s: before %v, after %v", base, before, after)
	}
	if err := UnmountHostRoot(h); err != nil {
		t.Errorf("second UnmountHostRoot: %v", err)
	}
}

// TestUnmountHostRootLeavesForeignMount: a mount covering the rootfs
// that is not in the container's subtree (made by someone else on the
// host after the container's) is not removed in its place.
func TestUnmountHostRootLeavesForeignMount(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	watchHostMounts(t, base)
	rootfs := filepath.Join(base, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	h, err := BindHostRoot(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	// The host's foreign mount on the parent directory hides the path.
	if err := unix.Mount("foreign", base, "tmpfs", 0, ""); err != nil {
		UnmountHostRoot(h)
		t.Fatal(err)
	}
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("foreign2", rootfs, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	err = UnmountHostRoot(h)
	if err == nil || !strings.Contains(err.Error(), "not the container's") {
		t.Errorf("UnmountHostRoot under a foreign mount: %v, want a refusal", err)
	}
	for _, p := range []string{rootfs, base} {
		if err := unix.Unmount(p, 0); err != nil {
			t.Fatalf("unmounting %s: %v", p, err)
		}
	}
	if err := UnmountHostRoot(h); err != nil {
		t.Fatal(err)
	}
}

// TestHostRootReadyRefusesPlainDirectory: the init stage does not mount
// into a rootfs the runtime did not bind, where the mounts would land in
// the host mount holding it.
func TestHostRootReadyRefusesPlainDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := hostRootReady(dir); err == nil || !strings.Contains(err.Error(), "not a mount point") {
		t.Errorf("hostRootReady(%s) = %v, want not a mount point", dir, err)
	}
}

// TestUnmountHostRootOtherNamespace: from a mount namespace other than
// the one the mounts were made in, they would look gone; removal fails
// instead of reporting success with the mounts left behind.
func TestUnmountHostRootOtherNamespace(t *testing.T) {
	h := HostRoot{Path: t.TempDir(), ID: 1, Namespace: "mnt:[1]"}
	if err := UnmountHostRoot(h); err == nil || !strings.Contains(err.Error(), "not in ours") {
		t.Errorf("UnmountHostRoot from another namespace: %v, want a refusal", err)
	}
}
