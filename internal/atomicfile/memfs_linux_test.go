package atomicfile

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// fsType returns the type /proc/mounts gives the mount at dir, "" when
// dir is not a mount point.
func fsType(t testing.TB, dir string) string {
	t.Helper()
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	typ := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 2 && fields[1] == dir {
			typ = fields[2] // the last mount at dir is the visible one
		}
	}
	return typ
}

// TestWriteInMemory writes on tmpfs, where the syncs are skipped: the
// content, mode and clean directory are the same as on a disk.
func TestWriteInMemory(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mounting a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	checkReplacesWithMode(t, dir)

	f, err := os.Open(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !inMemory(f) {
		t.Errorf("a file on tmpfs is not seen as in memory: its writes would be synced")
	}
}

// TestDiskIsNotInMemory: a file on a disk's file system keeps its syncs.
func TestDiskIsNotInMemory(t *testing.T) {
	switch typ := fsType(t, "/"); typ {
	case "tmpfs", "ramfs", "rootfs", "":
		testutil.Missing(t, "the root file system (%q) is held in memory here", typ)
	}
	root, err := os.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if inMemory(root) {
		t.Errorf("/ (%s) is seen as in memory: its writes would not be synced", fsType(t, "/"))
	}
}
