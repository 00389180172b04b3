package volume

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSize: the apparent size of files and links, each hard-linked file
// once, a symbolic link's own length and not its target's, directories
// nothing; a missing directory and a canceled walk are errors.
func TestSize(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "big")
	write(t, outside, strings.Repeat("x", 1<<20))
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), strings.Repeat("a", 1000))
	write(t, filepath.Join(dir, "sub", "b"), strings.Repeat("b", 300))
	write(t, filepath.Join(dir, "empty"), "")
	if err := os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "sub", "a-again")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	want := int64(1000 + 300 + len(outside) + len(filepath.Dir(outside)))
	if got, err := Size(context.Background(), dir); err != nil || got != want {
		t.Errorf("Size = %d, %v; want %d", got, err, want)
	}

	if _, err := Size(context.Background(), filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Size of a missing directory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Size(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("Size with a canceled context: %v", err)
	}
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
