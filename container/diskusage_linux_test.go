package container

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestDiskUsage: the containers' files and their logs are counted apart,
// by allocated blocks, and a file system mounted in a container's
// directory (its rootfs while it runs) is not counted.
func TestDiskUsage(t *testing.T) {
	testutil.RequireRoot(t)
	root := t.TempDir()
	s := &Service{root: root}
	if du, err := s.DiskUsage(context.Background()); err != nil || du.ContainersSize != 0 || du.LogsSize != 0 {
		t.Fatalf("without a containers directory: %+v, %v", du, err)
	}
	write := func(rel string, size int) {
		t.Helper()
		p := filepath.Join(root, "containers", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a/config.json", 3000)
	write("a/upper/big", 1<<20)
	write("a/container.log", 5000)
	write("b/container.log.1", 70000)
	rootfs := filepath.Join(root, "containers", "a", "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", rootfs, "tmpfs", 0, "size=4m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(rootfs, unix.MNT_DETACH) })
	write("a/rootfs/image-file", 2<<20)

	blocks := func(rel ...string) int64 {
		var n int64
		for _, r := range rel {
			var st unix.Stat_t
			if err := unix.Stat(filepath.Join(root, "containers", r), &st); err != nil {
				t.Fatal(err)
			}
			n += st.Blocks * 512
		}
		return n
	}
	du, err := s.DiskUsage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := blocks("a/config.json", "a/upper/big"); du.ContainersSize != want {
		t.Errorf("ContainersSize = %d, want %d (config and upper, not the mounted rootfs)", du.ContainersSize, want)
	}
	if want := blocks("a/container.log", "b/container.log.1"); du.LogsSize != want {
		t.Errorf("LogsSize = %d, want %d", du.LogsSize, want)
	}
	if du.ImagesSize != 0 || du.LayersSize != 0 {
		t.Errorf("the image fields are the image service's: %+v", du)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.DiskUsage(ctx); err == nil {
		t.Error("DiskUsage with a cancelled context succeeded")
	}
}
