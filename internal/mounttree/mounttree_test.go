package mounttree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestRemoveAllUnmountsFirst: a tmpfs mounted two levels down is
// unmounted, not emptied through the mount, and the tree is gone.
func TestRemoveAllUnmountsFirst(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: mounts a tmpfs")
	}
	dir := filepath.Join(t.TempDir(), "tree")
	inner := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", inner, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", filepath.Join(dir, "a"), "tmpfs", 0, ""); err != nil {
		unix.Unmount(inner, unix.MNT_DETACH)
		t.Fatal(err)
	}
	if err := RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", dir, err)
	}
	b, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(b), dir) {
		t.Fatalf("a mount under %s remains", dir)
	}
}
