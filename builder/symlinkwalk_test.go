package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

// memEntry is a file or symlink of memTree.
type memEntry struct {
	link string // symlink target; "" for a directory or file
}

func (e memEntry) Name() string       { return "" }
func (e memEntry) Size() int64        { return 0 }
func (e memEntry) ModTime() time.Time { return time.Time{} }
func (e memEntry) IsDir() bool        { return false }
func (e memEntry) Sys() any           { return nil }
func (e memEntry) Mode() fs.FileMode {
	if e.link != "" {
		return fs.ModeSymlink | 0o777
	}
	return 0o644
}

// errWalkedOut is what memTree answers for a path outside the tree.
var errWalkedOut = errors.New("the walk looked up a path outside the tree")

// memTree is a tree for symlinkWalk keyed by clean root-relative paths
// ("a/b"): its lstat and readlink see only the map, and a lookup of a path
// outside the tree fails with errWalkedOut, which no row accepts.
type memTree map[string]memEntry

func (m memTree) walk(root string) symlinkWalk {
	outside := func(p string) bool {
		return strings.HasPrefix(p, "..") || (root == "." && path.IsAbs(p))
	}
	return symlinkWalk{
		root: root,
		lstat: func(p string) (fs.FileInfo, error) {
			if outside(p) {
				return nil, fmt.Errorf("lstat %s: %w", p, errWalkedOut)
			}
			e, ok := m[strings.TrimPrefix(p, "/")]
			if !ok {
				return nil, fmt.Errorf("lstat %s: %w", p, fs.ErrNotExist)
			}
			return e, nil
		},
		readlink: func(p string) (string, error) {
			if outside(p) {
				return "", fmt.Errorf("readlink %s: %w", p, errWalkedOut)
			}
			return m[strings.TrimPrefix(p, "/")].link, nil
		},
	}
}

var errLeaves = errors.New("leaves the tree")

// TestSymlinkWalkPolicies runs the one walker under both policies it
// serves: the layer view (root "/", ".." and absolute targets clamp,
// missing components kept) and the build context (".." above the root
// and absolute targets outside it are errors, missing components are
// not found). The context rows are the path-traversal guard of COPY
// (CWE-22): a walk that reached outside fails with errWalkedOut.
func TestSymlinkWalkPolicies(t *testing.T) {
	tree := memTree{
		"etc":        {},
		"etc/passwd": {},
		"usr":        {},
		"usr/bin":    {},
		"bin":        {link: "usr/bin"},
		"abs":        {link: "/etc/passwd"},
		"up":         {link: "../../etc"},
		"host":       {link: "/ctx/etc"},
		"away":       {link: "/elsewhere/etc"},
		"loop":       {link: "loop"},
	}
	type row struct {
		in, want string
		err      error // a kind the error must be; nil for success
	}
	layer := []row{
		{"/bin", "/usr/bin", nil},
		{"/bin/../etc/passwd", "/usr/etc/passwd", nil},
		{"/abs", "/etc/passwd", nil},
		{"/../../etc", "/etc", nil},
		{"/up/passwd", "/etc/passwd", nil},
		{"/bin/missing/x", "/usr/bin/missing/x", nil},
		{"/missing/../etc", "/etc", nil},
		{"/host", "/ctx/etc", nil},
	}
	context := []row{
		{"bin", "usr/bin", nil},
		{"./etc/passwd", "etc/passwd", nil},
		{"host/passwd", "etc/passwd", nil},
		{"..", "", errLeaves},
		{"etc/../..", "", errLeaves},
		{"up", "", errLeaves},
		{"abs", "", errLeaves},
		{"away", "", errLeaves},
		{"bin/missing", "", fs.ErrNotExist},
	}
	image := []row{
		{"up", "etc", nil},
		{"abs", "etc/passwd", nil},
		{"..", ".", nil},
		{"host", "", fs.ErrNotExist},
	}
	ctx := tree.walk(".")
	ctx.aboveRoot = errLeaves
	ctx.absolute = func(target string) (string, error) {
		if rest, ok := strings.CutPrefix(target, "/ctx/"); ok {
			return rest, nil
		}
		return "", errLeaves
	}
	lv := tree.walk("/")
	lv.keepMissing = true
	for _, c := range []struct {
		name string
		w    symlinkWalk
		rows []row
	}{
		{"layer", lv, layer},
		{"context", ctx, context},
		{"image", tree.walk("."), image},
	} {
		for _, r := range c.rows {
			t.Run(c.name+"/"+r.in, func(t *testing.T) {
				got, err := c.w.resolve(r.in)
				switch {
				case r.err == nil && (err != nil || got != r.want):
					t.Errorf("resolve %q = %q, %v; want %q", r.in, got, err, r.want)
				case r.err != nil && !errors.Is(err, r.err):
					t.Errorf("resolve %q = %q, %v; want an error that is %v", r.in, got, err, r.err)
				}
			})
		}
		t.Run(c.name+"/loop", func(t *testing.T) {
			if got, err := c.w.resolve("loop"); err == nil || !strings.Contains(err.Error(), "too many symlinks") {
				t.Errorf("resolve of a symlink loop = %q, %v; want too many symlinks", got, err)
			}
		})
	}
}
