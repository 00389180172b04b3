package builder

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/passwd"
	"github.com/container-runtime/container-runtime/internal/rootread"
)

// layerView reads the merged tree of a stack of layer directories the way
// OverlayFS shows it, without mounting: a higher layer hides the same path
// below it, a whiteout (a 0/0 character device) hides it, and an opaque
// directory hides everything below it in lower layers.
type layerView struct {
	// dirs are the layer directories, top first.
	dirs []string
}

// lstat returns the host path and info of the in-image path p (absolute,
// clean, with no symlink in its parent directories) in the topmost layer
// that has it. It returns an error wrapping fs.ErrNotExist when the merged
// tree has no p.
func (v layerView) lstat(p string) (string, fs.FileInfo, error) {
	if p == "/" {
		for _, d := range v.dirs {
			if fi, err := os.Lstat(d); err == nil {
				return d, fi, nil
			}
		}
		return "", nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	parents := ancestors(p)
	for _, d := range v.dirs {
		present, hidden, opaque := true, false, false
		for _, q := range parents {
			host := filepath.Join(d, q)
			fi, err := os.Lstat(host)
			if err != nil {
				present = false
				break
			}
			if isWhiteout(fi) || !fi.IsDir() {
				hidden = true
				break
			}
			if isOpaque(host) {
				opaque = true
			}
		}
		if hidden {
			break
		}
		if present {
			host := filepath.Join(d, p)
			fi, err := os.Lstat(host)
			if err == nil {
				if isWhiteout(fi) {
					break
				}
				return host, fi, nil
			}
		}
		if opaque {
			break
		}
	}
	return "", nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
}

// resolve follows the symlinks of the in-image path p (absolute) in the
// merged tree, with "/" as the root: ".." and absolute link targets never
// leave it. Components that do not exist are kept as they are, so the
// result is where p would be created.
func (v layerView) resolve(p string) (string, error) {
	w := symlinkWalk{
		root: "/",
		lstat: func(p string) (fs.FileInfo, error) {
			_, fi, err := v.lstat(p)
			return fi, err
		},
		readlink:    v.readlink,
		keepMissing: true,
	}
	return w.resolve(p)
}

// readlink reads the symlink at in-image path p.
func (v layerView) readlink(p string) (string, error) {
	host, _, err := v.lstat(p)
	if err != nil {
		return "", err
	}
	target, err := os.Readlink(host)
	if err != nil {
		return "", fmt.Errorf("reading symlink %s: %w", p, err)
	}
	return target, nil
}

// stat returns the info of in-image path p after following symlinks.
func (v layerView) stat(p string) (string, fs.FileInfo, error) {
	resolved, err := v.resolve(p)
	if err != nil {
		return "", nil, err
	}
	return v.lstat(resolved)
}

// readFile reads the file at in-image path p (an /etc/passwd or
// /etc/group), following symlinks. The image is hostile input: the file
// is opened inside its layer directory (a link swapped in meanwhile
// cannot lead out), only if it is still a regular file, and read up to
// passwd.MaxFileSize bytes.
func (v layerView) readFile(p string) ([]byte, error) {
	host, fi, err := v.stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	return rootread.ReadFile(filepath.Dir(host), filepath.Base(host), passwd.MaxFileSize)
}

// isWhiteout reports whether fi is an OverlayFS whiteout.
func isWhiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

// isOpaque reports whether the directory at host path dir is an OverlayFS
// opaque directory (trusted.overlay.opaque, or user.overlay.opaque for
// mounts with userxattr).
func isOpaque(dir string) bool {
	buf := make([]byte, 1)
	for _, attr := range []string{"trusted.overlay.opaque", "user.overlay.opaque"} {
		if n, err := unix.Lgetxattr(dir, attr, buf); err == nil && n == 1 && buf[0] == 'y' {
			return true
		}
	}
	return false
}

// ancestors returns the proper ancestor directories of the absolute clean
// path p, from the top, without "/": "/a/b/c" gives "/a", "/a/b".
func ancestors(p string) []string {
	var out []string
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}
