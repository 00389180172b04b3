package rootfs

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestSymlinkEscape runs a container whose image has a bind mount's
// destination as a symlink to a host path outside the rootfs: the mount
// must land inside the rootfs, where the symlink points when resolved
// with the rootfs as "/", and the outside directory must stay untouched.
// (/proc, /sys and /dev as symlinks are refused:
// TestSpecialDestinationSymlinks.)
func TestSymlinkEscape(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	outsideProc := filepath.Join(base, "outside-proc")
	outsideDev := filepath.Join(base, "outside-dev")
	outsideBind := filepath.Join(base, "outside-bind")
	for _, d := range []string{outsideProc, outsideDev, outsideBind} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sentinel"), []byte("host"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	watchHostMounts(t, base)
	rootfs := filepath.Join(base, "a", "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	busyboxRootfs(t, rootfs)
	for link, target := range map[string]string{
		"mnt/bind": outsideBind,
	} {
		p := filepath.Join(rootfs, link)
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(base, "bind-source")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := dockerSpec()
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/mnt/bind", Type: "bind", Source: src, Options: []string{"rbind", "ro"}})

	probes := append(defaultProbes(rootfs), probe{Op: "stat", Path: "/proc/self"})
	rep := child{scenario: "container", rootfs: rootfs, spec: spec, probes: probes}.run(t)
	checkNewMountsInside(t, rep, rootfs)
	if rep.Error != "" {
		t.Fatalf("child: %s", rep.Error)
	}
	for _, d := range []string{outsideProc, outsideDev, outsideBind} {
		entries, err := os.ReadDir(d)
		if err != nil || len(entries) != 1 || entries[0].Name() != "sentinel" {
			t.Errorf("outside directory %s now holds %v (%v), want only its sentinel", d, entries, err)
		}
		if b, err := os.ReadFile(filepath.Join(d, "sentinel")); err != nil || string(b) != "host" {
			t.Errorf("sentinel in %s: %q, %v", d, b, err)
		}
	}
	// The symlinks were followed inside the rootfs.
	for _, d := range []string{filepath.Join(rootfs, outsideBind)} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Errorf("%s should have been created inside the rootfs: %v", d, err)
		}
	}
	if p := probeOf(t, rep, "stat", "/proc/self"); p.Type != "dir" {
		t.Errorf("/proc/self in the container: %+v, want a directory of the proc mount", p)
	}
	if p := probeOf(t, rep, "stat", "/dev/null"); p.Type != "char" || p.Major != 1 || p.Minor != 3 {
		t.Errorf("/dev/null in the container: %+v, want char 1:3", p)
	}
}
