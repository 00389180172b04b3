package security

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// importWithLinks imports, as image name, a busybox root file system in
// which each of links (a name at the root) is a symlink to "/".
func importWithLinks(t *testing.T, d *daemon.Daemon, name string, links ...string) {
	t.Helper()
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		p := filepath.Join(rootfs, l)
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/", p); err != nil {
			t.Fatal(err)
		}
	}
	tarball := filepath.Join(t.TempDir(), name+".tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	d.OK(t, "image", "import", tarball, name)
}

// TestImageSymlink_KernelFilesystemDestinations guards the class "an
// image's /proc, /sys or /dev is a symlink" (runc refuses such proc and
// sysfs destinations: "must be mounted on ordinary directory"). With
// /proc -> /, the engine mounted procfs over the container's own root
// (and with /sys -> / or /dev -> /, sysfs or the /dev tmpfs). Creating
// a container of such an image must fail with an error naming the
// destination, and leave nothing behind (the harness checks mounts,
// cgroups and state at cleanup).
func TestImageSymlink_KernelFilesystemDestinations(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	for _, tc := range []struct {
		name  string
		links []string
	}{
		{"proc", []string{"proc"}},
		{"sys", []string{"sys"}},
		{"dev", []string{"dev"}},
		{"all", []string{"proc", "sys", "dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := "links-" + tc.name
			importWithLinks(t, d, img, tc.links...)
			r := d.Run(t, "run", "--rm", "--network", "none", img, "/bin/sh", "-c", "echo STARTED; ls /")
			if r.Code == 0 || strings.Contains(r.Stdout, "STARTED") {
				t.Fatalf("a container of an image with %v -> / started: %v", tc.links, r)
			}
			named := false
			for _, l := range tc.links {
				named = named || strings.Contains(r.Stderr, `"/`+l+`" is a symlink`)
			}
			if !named {
				t.Errorf("the error does not name the symlinked destination: %v", r)
			}
			if ps := d.OK(t, "ps", "-a", "-q"); strings.TrimSpace(ps) != "" {
				t.Errorf("containers left after the refused run: %q", ps)
			}
			d.OK(t, "rmi", img)
		})
	}
}
