package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpecialDestinationSymlinks guards the class of image symlinks for
// the kernel's filesystems (runc refuses them: "must be mounted on
// ordinary directory"): an image whose /proc, /sys or /dev is a symlink
// (to "/", up and out with "..", to a host path, or to another directory
// of the image) had proc, sysfs or the /dev tmpfs mounted where the link
// led, over the container's own root among others. Prepare must refuse,
// naming the destination, before mounting anything there; a /proc that is
// a regular file is refused too.
func TestSpecialDestinationSymlinks(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name, entry, target, want string
	}{
		{"proc-to-root", "proc", "/", `"/proc" is a symlink`},
		{"sys-to-root", "sys", "/", `"/sys" is a symlink`},
		{"dev-to-root", "dev", "/", `"/dev" is a symlink`},
		{"proc-dotdot", "proc", "../../..", `"/proc" is a symlink`},
		{"dev-to-host", "dev", "/tmp", `"/dev" is a symlink`},
		{"sys-to-etc", "sys", "etc", `"/sys" is a symlink`},
		{"proc-file", "proc", "", `must be mounted on an ordinary directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := publicDir(t)
			watchHostMounts(t, base)
			rootfs := filepath.Join(base, "rootfs")
			if err := os.MkdirAll(rootfs, 0o755); err != nil {
				t.Fatal(err)
			}
			busyboxRootfs(t, rootfs)
			p := filepath.Join(rootfs, tc.entry)
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.target == "" {
				err = os.WriteFile(p, nil, 0o644)
			} else {
				err = os.Symlink(tc.target, p)
			}
			if err != nil {
				t.Fatal(err)
			}
			rep := child{scenario: "container", rootfs: rootfs, spec: dockerSpec()}.run(t)
			if rep.Error == "" {
				t.Fatalf("a container whose /%s is %q was set up; mounts: %v", tc.entry, tc.target, rep.NewMounts)
			}
			if !strings.Contains(rep.Error, tc.want) || !strings.Contains(rep.Error, "/"+tc.entry) {
				t.Errorf("error %q does not say %q about /%s", rep.Error, tc.want, tc.entry)
			}
			onRoot := 0
			for _, m := range rep.NewMounts {
				if m == rootfs {
					onRoot++
				} else if !strings.HasPrefix(m, rootfs+"/") {
					t.Errorf("a mount at %s, outside the rootfs", m)
				}
			}
			// One is the bind of the rootfs onto itself; a second would be
			// a filesystem mounted over the container's root.
			if onRoot > 1 {
				t.Errorf("%d mounts on the rootfs itself: %v", onRoot, rep.NewMounts)
			}
		})
	}
}
