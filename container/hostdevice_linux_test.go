package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestDeviceDirectory: --device DIR gives every device node under DIR at
// its place under the container path, as Docker's --device /dev/snd, but
// not what a symlink in DIR points at; a directory without devices is
// refused.
func TestDeviceDirectory(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	null := int(unix.Mkdev(1, 3))
	for _, p := range []string{"a", "sub/b"} {
		if err := unix.Mknod(filepath.Join(dir, p), unix.S_IFCHR|0o666, null); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	devs, rules, err := device(api.DeviceMapping{PathOnHost: dir, PathInContainer: "/dev/mine", CgroupPermissions: "r"})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range devs {
		paths = append(paths, d.Path)
	}
	if strings.Join(paths, " ") != "/dev/mine/a /dev/mine/sub/b" || len(rules) != 2 {
		t.Fatalf("devices %v, %d rules; want /dev/mine/a and /dev/mine/sub/b", paths, len(rules))
	}
	for _, r := range rules {
		if r.Access != "r" || *r.Major != 1 || *r.Minor != 3 || r.Type != "c" {
			t.Errorf("rule %+v: want c 1:3 r", r)
		}
	}
	if _, _, err := device(api.DeviceMapping{PathOnHost: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not a device node") {
		t.Errorf("an empty directory: %v, want not a device node", err)
	}
}
