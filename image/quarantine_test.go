package image

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRecoverQuarantinesWhatItCannotRemove: a leftover in tmp/ that
// cannot be removed (here: a directory made immutable, as a process still
// writing would make removal fail) is moved to quarantine and Open
// succeeds. Before, Open failed with "directory not empty" at every start.
func TestRecoverQuarantinesWhatItCannotRemove(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s, err := Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	left := filepath.Join(root, "tmp", "layer-leftover")
	if err := os.MkdirAll(filepath.Join(left, "diff"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(left, "diff", "pinned")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	setImmutable(t, filepath.Join(left, "diff"), true)
	t.Cleanup(func() {
		matches, _ := filepath.Glob(filepath.Join(root, "quarantine", "*", "diff"))
		for _, m := range append(matches, filepath.Join(left, "diff")) {
			setImmutable(t, m, false)
		}
	})

	s, err = Open(t.Context(), root)
	if err != nil {
		t.Fatalf("Open with an unremovable leftover: %v", err)
	}
	s.Close()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("leftover still in tmp/: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(root, "quarantine", "*-layer-leftover", "diff", "pinned"))
	if len(matches) != 1 {
		t.Fatalf("leftover not in quarantine: %v", matches)
	}
}

// setImmutable sets or clears a file's immutable attribute (chattr +i).
func setImmutable(tb testing.TB, path string, on bool) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		if on {
			tb.Fatal(err)
		}
		return
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		tb.Fatalf("reading the flags of %s: %v", path, err)
	}
	if on {
		flags |= fsImmutableFL
	} else {
		flags &^= fsImmutableFL
	}
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags)); err != nil {
		tb.Fatalf("setting the flags of %s: %v", path, err)
	}
}

// fsImmutableFL is FS_IMMUTABLE_FL of linux/fs.h (x/sys/unix lacks it).
const fsImmutableFL = 0x00000010
