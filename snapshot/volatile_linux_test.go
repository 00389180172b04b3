package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// isVolatile reports whether the mount at target skips syncs, and its
// options: "volatile" (Linux 5.10 on) or "fsync=volatile" (6.12 on).
func isVolatile(tb testing.TB, target string) (bool, string) {
	tb.Helper()
	ms, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(target))
	if err != nil || len(ms) != 1 {
		tb.Fatalf("finding the mount at %s: %d mounts, %v", target, len(ms), err)
	}
	opts := "," + ms[0].VFSOptions + ","
	return strings.Contains(opts, ",volatile,") || strings.Contains(opts, ",fsync=volatile,"), ms[0].VFSOptions
}

// TestMountVolatile: a volatile mount says so in its options, records
// changes as a plain one does, and the same upper and work directories
// mount again (the kernel's mark of the first mount is removed).
func TestMountVolatile(t *testing.T) {
	requireRoot(t)
	lower := layer(t, "etc/passwd=root")
	upperRoot := t.TempDir()
	upper, work := filepath.Join(upperRoot, "diff"), filepath.Join(upperRoot, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := mountpoint(t)
	for i := range 2 {
		if err := MountVolatile(context.Background(), target, []string{lower}, upper, work); err != nil {
			t.Fatalf("volatile mount %d: %v", i+1, err)
		}
		if ok, opts := isVolatile(t, target); !ok {
			t.Errorf("mount %d: options %q lack volatile", i+1, opts)
		}
		if err := os.WriteFile(filepath.Join(target, "etc/new"), []byte("n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Unmount(target); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := tree(t, upper), []string{"etc/", "etc/new=n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("upper directory:\n got %q\nwant %q", got, want)
	}
}

// TestMountVolatileBothImplementations: the flag is accepted by the new
// mount API (as a flag, not a string) and by mount(2).
func TestMountVolatileBothImplementations(t *testing.T) {
	requireRoot(t)
	lower := layer(t, "a=a")
	for name, mount := range implementations() {
		t.Run(name, func(t *testing.T) {
			upperRoot := t.TempDir()
			upper, work := filepath.Join(upperRoot, "diff"), filepath.Join(upperRoot, "work")
			for _, d := range []string{upper, work} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			target := mountpoint(t)
			if err := mount(target, []string{lower}, upper, work, overlayOptions+",volatile"); err != nil {
				t.Fatal(err)
			}
			defer Unmount(target)
			if ok, opts := isVolatile(t, target); !ok {
				t.Errorf("options %q lack volatile", opts)
			}
		})
	}
}

// TestMountVolatileNeedsUpper: without an upper directory there is
// nothing to be volatile about; it is refused rather than ignored.
func TestMountVolatileNeedsUpper(t *testing.T) {
	if err := MountVolatile(context.Background(), t.TempDir(), []string{t.TempDir()}, "", ""); err == nil {
		t.Fatal("a volatile mount without upper directory succeeded")
	}
}
