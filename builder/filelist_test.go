package builder

import (
	"crypto/sha256"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// The file list is compared in one pass, which needs comparePaths to
// order paths as filepath.WalkDir visits them, names that sort around
// "/" included.
func TestComparePathsIsWalkOrder(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a/b": "", "a.txt": "", "a-b/c": "", "a/b.c/d": "", "a0": "", "A": "",
		"-x": "", "a/-": "", "b/c/d/e": "", "b/c.d": "", "b/c-": "", "b/e/": "",
	})
	var walked []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		walked = append(walked, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(walked)
	slices.Reverse(sorted)
	slices.SortFunc(sorted, comparePaths)
	if !slices.Equal(sorted, walked) {
		t.Errorf("comparePaths order:\n%q\nwalk order:\n%q", sorted, walked)
	}
}

func TestDiffFileLists(t *testing.T) {
	list := func(files ...string) []byte {
		l := newFileList()
		for i := 0; i < len(files); i += 2 {
			if err := l.add(files[i], sha256.Sum256([]byte(files[i+1]))); err != nil {
				t.Fatal(err)
			}
		}
		_, b, err := l.finish()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	was := list(".", "", "a", "1", "a/x", "2", "b", "3")
	for _, tt := range []struct {
		name string
		now  []byte
		want string
	}{
		{"same", list(".", "", "a", "1", "a/x", "2", "b", "3"), ""},
		{"changed", list(".", "", "a", "1", "a/x", "9", "b", "3"), "file a/x changed"},
		{"added first", list(".", "", "0", "0", "a", "1", "a/x", "2", "b", "3"), "file 0 added"},
		{"added last", list(".", "", "a", "1", "a/x", "2", "b", "3", "c", "4"), "file c added"},
		{"removed", list(".", "", "a", "1", "b", "3"), "file a/x removed"},
		{"changed wins", list(".", "", "a", "1", "a/w", "0", "b", "4"), "file b changed (and 2 more)"},
		{"empty", list(), "file . removed (and 3 more)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := diffFileLists(was, tt.now)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// A list past maxFileListBytes is dropped, but the digest still covers
// every file.
func TestFileListDropsWhatIsTooLong(t *testing.T) {
	testutil.SkipShort(t, "hashes 2 million names")
	l := newFileList()
	name := make([]byte, 0, 64)
	for i := 0; !l.dropped; i++ {
		// Random-looking names compress badly, so the bound is reached.
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)})
		name = append(name[:0], filepath.Join("d", string(sum[:8]))...)
		if err := l.add(string(name), sum); err != nil {
			t.Fatal(err)
		}
	}
	digest, list, err := l.finish()
	if err != nil || digest == "" || list != nil {
		t.Errorf("finish: %q, %d bytes, %v; want a digest and no list", digest, len(list), err)
	}
}
