package daemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// BootstrapTimeout bounds `image bootstrap`: seconds with the shared
// cache, a minute or two without.
const BootstrapTimeout = 10 * time.Minute

// Busybox imports a busybox image named "busybox" (a root filesystem tar
// made from /bin/busybox) with `container-runtime image import`, and
// returns its name.
func (d *Daemon) Busybox(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	rootfs := filepath.Join(d.Dir, "busybox-rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatalf("making the busybox rootfs: %v", err)
	}
	tarball := filepath.Join(d.Dir, "busybox.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar of the busybox rootfs: %v\n%s", err, out)
	}
	os.RemoveAll(rootfs)
	out := d.OK(t, "image", "import", tarball, "busybox")
	if !strings.HasPrefix(strings.TrimSpace(out), "sha256:") {
		t.Fatalf("image import printed %q, want the image id", out)
	}
	return "busybox"
}

// Base makes the seed's Debian `base` image with `container-runtime image
// bootstrap` (from the shared debootstrap cache when it holds one), and
// returns its name.
func (d *Daemon) Base(t testing.TB) string {
	t.Helper()
	testutil.SkipShort(t, "needs the Debian base image")
	testutil.RequireTool(t, "debootstrap")
	if r := d.Exec(BootstrapTimeout, nil, "image", "bootstrap"); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	return "base"
}
