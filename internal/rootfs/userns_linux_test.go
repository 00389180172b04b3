package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserNamespace runs the default container in a user namespace (root
// is host uid 100000): mknod is refused there, so device nodes are bound
// from the host; sysfs and cgroups, which that namespace may not mount,
// are bound too.
func TestUserNamespace(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	watchHostMounts(t, base)
	rootfs := busyboxRootfs(t, filepath.Join(base, "rootfs"))
	binary := filepath.Join(base, "rootfs.test")
	copyFile(t, os.Args[0], binary, 0o755)

	probes := append(defaultProbes(rootfs), probe{Op: "read", Path: "/proc/self/uid_map"})
	rep := child{scenario: "container", rootfs: rootfs, spec: dockerSpec(), probes: probes, userns: true, binary: binary}.run(t)
	if rep.Error != "" {
		t.Fatalf("child: %s", rep.Error)
	}
	if p := probeOf(t, rep, "read", "/proc/self/uid_map"); len(strings.Fields(p.Data)) != 3 || strings.Fields(p.Data)[1] != "100000" {
		t.Fatalf("uid_map %q (%s), want 0 100000 65536", p.Data, p.Err)
	}
	checkNewMountsInside(t, rep, rootfs)
	checkDefaultContainer(t, rep, true)
	for _, d := range DefaultDevices() {
		m, ok := mountAt(rep, d.Path)
		if !ok {
			t.Errorf("%s is not a mount point: it should be bound from the host", d.Path)
			continue
		}
		if m.FSType != "devtmpfs" {
			t.Errorf("%s is bound from a %s, want the host's devtmpfs", d.Path, m.FSType)
		}
	}
}
