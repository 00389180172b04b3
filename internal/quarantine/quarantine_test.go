package quarantine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMove: the leftover ends up, whole, in a 0700 quarantine directory
// under the root, named after its base name.
func TestMove(t *testing.T) {
	root := t.TempDir()
	left := filepath.Join(root, "tmp", "layer-1")
	if err := os.MkdirAll(filepath.Join(left, "diff"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "diff", "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst, err := Move(root, left)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dst) != Dir(root) || !strings.HasSuffix(dst, "-layer-1") {
		t.Fatalf("moved to %s, want %s/<time>-layer-1", dst, Dir(root))
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", left, err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "diff", "f")); err != nil || string(b) != "x" {
		t.Fatalf("content not kept: %q %v", b, err)
	}
	fi, err := os.Stat(Dir(root))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("quarantine mode %v, want 0700", fi.Mode().Perm())
	}
}
