package volume

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeTree makes files (content), dirs and symlinks under root.
func writeTree(t testing.TB, root string, files map[string]string, links map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCopyUp checks what a new volume gets from the image: files,
// directories and their modes, links as links; that the path is resolved
// inside the root (a link to an absolute path means the root's); and
// that a volume with content, or a path the root lacks, gets nothing.
func TestCopyUp(t *testing.T) {
	host := t.TempDir()
	writeTree(t, host, map[string]string{"secret": "host secret"}, nil)
	root := t.TempDir()
	writeTree(t, root,
		map[string]string{"app/a": "A", "app/sub/b": "B", "target/in-root": "inside"},
		map[string]string{
			"app/link": filepath.Join(host, "secret"), "app/dirlink": host,
			"abs": filepath.Join(host), "rel": "../../../../../../" + host, "inroot": "/target",
		})
	if err := os.Chmod(filepath.Join(root, "app", "sub"), 0o711); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		path   string
		copied bool
		want   map[string]string // file -> content, or "->target" for a link
	}{
		{"/app", true, map[string]string{"a": "A", "sub/b": "B", "link": "->" + filepath.Join(host, "secret"), "dirlink": "->" + host}},
		{"/inroot", true, map[string]string{"in-root": "inside"}},
		{"/abs", false, nil}, // host's directory: not in the root
		{"/rel", false, nil},
		{"/missing", false, nil},
		{"/app/a", false, nil}, // not a directory
	} {
		t.Run(tc.path, func(t *testing.T) {
			dst := t.TempDir()
			copied, err := CopyUp(root, tc.path, dst)
			if err != nil || copied != tc.copied {
				t.Fatalf("CopyUp = %v, %v; want %v", copied, err, tc.copied)
			}
			n := 0
			filepath.Walk(dst, func(p string, fi os.FileInfo, err error) error {
				if err == nil && p != dst && !fi.IsDir() {
					n++
				}
				return nil
			})
			if n != len(tc.want) {
				t.Errorf("the volume holds %d entries, want %d", n, len(tc.want))
			}
			for p, want := range tc.want {
				full := filepath.Join(dst, p)
				if target, ok := cutArrow(want); ok {
					got, err := os.Readlink(full)
					if err != nil || got != target {
						t.Errorf("%s: link to %q (%v), want %q", p, got, err, target)
					}
					continue
				}
				fi, err := os.Lstat(full)
				b, _ := os.ReadFile(full)
				if err != nil || !fi.Mode().IsRegular() || string(b) != want || fi.Mode().Perm() != 0o640 {
					t.Errorf("%s: %v %q %v, want a 0640 file holding %q", p, fi, b, err, want)
				}
			}
		})
	}
	t.Run("modes and times", func(t *testing.T) {
		old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		for _, p := range []string{"app/a", "app/sub"} {
			if err := os.Chtimes(filepath.Join(root, p), old, old); err != nil {
				t.Fatal(err)
			}
		}
		dst := t.TempDir()
		if _, err := CopyUp(root, "/app", dst); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(dst, "sub")); err != nil || fi.Mode().Perm() != 0o711 {
			t.Errorf("sub: %v %v, want 0711", fi, err)
		}
		for _, p := range []string{"a", "sub"} {
			if fi, err := os.Stat(filepath.Join(dst, p)); err != nil || !fi.ModTime().Equal(old) {
				t.Errorf("%s: %v %v, want modified at %v", p, fi.ModTime(), err, old)
			}
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("the volume's root: %v %v, want the source's 0755", fi, err)
		}
	})
	t.Run("not into a volume with content", func(t *testing.T) {
		dst := t.TempDir()
		writeTree(t, dst, map[string]string{"mine": "M"}, nil)
		if copied, err := CopyUp(root, "/app", dst); copied || err != nil {
			t.Errorf("CopyUp into a volume with content: %v %v", copied, err)
		}
		if _, err := os.Stat(filepath.Join(dst, "a")); !os.IsNotExist(err) {
			t.Errorf("a was copied: %v", err)
		}
	})
}

func cutArrow(s string) (string, bool) {
	if len(s) > 2 && s[:2] == "->" {
		return s[2:], true
	}
	return "", false
}
