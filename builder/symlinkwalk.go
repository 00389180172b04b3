package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxSymlinks bounds the symlinks followed resolving one path, as the
// kernel's ELOOP limit does.
const maxSymlinks = 40

// symlinkWalk resolves the symlinks of a path in a tree that is read, not
// mounted: a layer stack (layerView) or a COPY source tree (sourceTree).
// The walk is the kernel's, component by component, restarting at each
// link target; the fields say where the trees differ. It is the one place
// that decides whether a path stays in its tree (COPY must never leave the
// build context), so the policies are fields here, not copies of the loop.
type symlinkWalk struct {
	// root is the tree's root as resolved paths spell it: "/" for
	// absolute in-image paths, "." for paths relative to the tree.
	root string
	// lstat and readlink read the entry at a resolved path (root-based,
	// clean, no symlink in its parents).
	lstat    func(p string) (fs.FileInfo, error)
	readlink func(p string) (string, error)
	// aboveRoot, when set, is the error for a ".." at the root; when nil
	// the root is its own parent, as "/.." is in the kernel.
	aboveRoot error
	// absolute, when set, maps an absolute link target to a path below
	// the root, or fails (a target outside the tree); when nil an
	// absolute target resolves from the root.
	absolute func(target string) (string, error)
	// keepMissing ends the walk at the first component that does not
	// exist, keeping it and the rest as they are (where the path would be
	// created); otherwise a missing component is lstat's error.
	keepMissing bool
}

// resolve follows the symlinks of p and returns its path from w.root.
func (w symlinkWalk) resolve(p string) (string, error) {
	parts := splitPath(p)
	resolved := w.root
	links := 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if resolved == w.root {
				if w.aboveRoot != nil {
					return "", w.aboveRoot
				}
				continue
			}
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, part)
		fi, err := w.lstat(next)
		if w.keepMissing && errors.Is(err, fs.ErrNotExist) {
			// Nothing below a missing directory exists either.
			return path.Join(append([]string{next}, parts...)...), nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxSymlinks {
			return "", fmt.Errorf("resolving %s: too many symlinks", p)
		}
		target, err := w.readlink(next)
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			if w.absolute != nil {
				if target, err = w.absolute(target); err != nil {
					return "", err
				}
			}
			resolved = w.root
		}
		parts = append(splitPath(target), parts...)
	}
	return resolved, nil
}

// splitPath splits a slash-separated path into its components.
func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}
