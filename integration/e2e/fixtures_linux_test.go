package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
)

// bootstrapTimeout bounds `image bootstrap`: seconds with the shared cache,
// a minute or two without.
const bootstrapTimeout = 10 * time.Minute

// busybox imports a busybox image named "busybox" (a root filesystem tar
// made from /bin/busybox) with `container-runtime image import`.
func busybox(t testing.TB, d *daemon) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		t.Skipf("needs busybox-static: %v", err)
	}
	rootfs := filepath.Join(d.dir, "busybox-rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatalf("making the busybox rootfs: %v", err)
	}
	tarball := filepath.Join(d.dir, "busybox.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar of the busybox rootfs: %v\n%s", err, out)
	}
	os.RemoveAll(rootfs)
	out := d.ok(t, "image", "import", tarball, "busybox")
	if !strings.HasPrefix(strings.TrimSpace(out), "sha256:") {
		t.Fatalf("image import printed %q, want the image id", out)
	}
	return "busybox"
}

// base makes the seed's Debian `base` image with `container-runtime image
// bootstrap` (from the shared debootstrap cache when it holds one).
func base(t testing.TB, d *daemon) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs the Debian base image")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skip("needs debootstrap (scripts/deps-debian installs it)")
	}
	if r := d.exec(bootstrapTimeout, nil, "image", "bootstrap"); r.code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.log())
	}
	return "base"
}
