package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/patternmatcher"
)

// errOutside marks a source path that leads out of the build context.
var errOutside = errors.New("points outside the build context")

// sourceTree is a directory COPY and ADD read sources from: the build
// context, or the mounted root filesystem of a stage or image
// (COPY --from).
type sourceTree struct {
	// root is the tree's absolute host path, symlinks resolved.
	root string
	// context is true for the build context: a source whose path or
	// symlinks lead out of it is an error, and .dockerignore applies. In
	// an image, "/" is the root and symlinks resolve inside it.
	context bool
	ignore  *patternmatcher.PatternMatcher
}

// sourceFile is a file of a source tree.
type sourceFile struct {
	// rel is the file's path relative to the tree root, symlinks resolved
	// ("." for the root).
	rel  string
	host string
	info fs.FileInfo
}

// source is one COPY/ADD source: a file, or a directory and its contents.
// A directory's contents are not listed here but walked when needed
// (sourceTree.walk), so that a source of any size costs the same memory.
type source struct {
	// name is the base name the source was given or matched with; a file
	// copied into a directory keeps it.
	name string
	top  sourceFile
}

// collect resolves the sources of a COPY or ADD (already expanded):
// wildcards, symlinks, .dockerignore.
func (t *sourceTree) collect(kind string, srcs []string) ([]source, error) {
	var out []source
	for _, src := range srcs {
		c := path.Clean(src)
		c = strings.TrimPrefix(c, "/")
		if t.context && (c == ".." || strings.HasPrefix(c, "../")) {
			return nil, fmt.Errorf("%s source %q is outside the build context: %w", kind, src, errdefs.ErrInvalidArgument)
		}
		if c == "" {
			c = "."
		}
		matches := []string{c}
		if hasWildcard(c) {
			var err error
			if matches, err = t.glob(c); err != nil {
				return nil, fmt.Errorf("%s source %q: %w", kind, src, withKind(err, errdefs.ErrInvalidArgument))
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s source %q: no file matches: %w", kind, src, errdefs.ErrNotFound)
			}
		}
		for _, m := range matches {
			s, err := t.source(m)
			switch {
			case errors.Is(err, errOutside):
				return nil, fmt.Errorf("%s source %q: a symlink %w: %w", kind, src, err, errdefs.ErrInvalidArgument)
			case errors.Is(err, fs.ErrNotExist) && t.context:
				return nil, fmt.Errorf("%s source %q: not found in the build context: %w", kind, src, errdefs.ErrNotFound)
			case errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("%s source %q: not found: %w", kind, src, errdefs.ErrNotFound)
			case errors.Is(err, errExcluded) && hasWildcard(c):
				continue
			case errors.Is(err, errExcluded):
				return nil, fmt.Errorf("%s source %q: excluded by .dockerignore: %w", kind, src, errdefs.ErrNotFound)
			case err != nil:
				return nil, fmt.Errorf("%s source %q: %w", kind, src, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// errExcluded marks a source .dockerignore excludes.
var errExcluded = errors.New("excluded by .dockerignore")

// source resolves one source path (no wildcards).
func (t *sourceTree) source(rel string) (source, error) {
	resolved, err := t.resolve(rel)
	if err != nil {
		return source{}, err
	}
	if t.excluded(resolved) {
		return source{}, errExcluded
	}
	host := filepath.Join(t.root, resolved)
	fi, err := os.Lstat(host)
	if err != nil {
		return source{}, err
	}
	name := path.Base(rel)
	if rel == "." {
		name = ""
	}
	return source{name: name, top: sourceFile{rel: resolved, host: host, info: fi}}, nil
}

// walk calls fn for each file below the directory source s, depth first,
// the entries of each directory in name order (comparePaths order), with
// rel relative to the directory. Excluded files and sockets are skipped.
// Symlinks are passed to fn as they are, never followed. What it holds in
// memory is the names of the directories being read (one per level),
// never a record per file: a directory's names are read, sorted, and each
// entry stat'ed only when its turn comes.
func (t *sourceTree) walk(s source, fn func(f sourceFile) error) error {
	if !s.top.info.IsDir() {
		return nil
	}
	return t.walkDir(s.top.rel, s.top.host, "", fn)
}

// walkDir walks the directory at host path dir, rel inside the source
// (top in the tree).
func (t *sourceTree) walkDir(top, dir, rel string, fn func(f sourceFile) error) error {
	names, err := readNames(dir)
	if err != nil {
		return fmt.Errorf("walking %s: %w", path.Join(top, rel), err)
	}
	for _, name := range names {
		inside := path.Join(rel, name)
		host := filepath.Join(dir, name)
		info, err := os.Lstat(host)
		if errors.Is(err, fs.ErrNotExist) {
			// Removed since the directory was read.
			continue
		}
		if err != nil {
			return fmt.Errorf("walking %s: %w", path.Join(top, inside), err)
		}
		if t.excluded(path.Join(top, inside)) {
			// A directory can hold files that "!pattern" lines re-include.
			if info.IsDir() && t.ignore.Exclusions() {
				if err := t.walkDir(top, host, inside, fn); err != nil {
					return err
				}
			}
			continue
		}
		if info.Mode()&fs.ModeSocket != 0 {
			// Sockets cannot be copied (tar skips them too).
			continue
		}
		if err := fn(sourceFile{rel: inside, host: host, info: info}); err != nil {
			return err
		}
		if info.IsDir() {
			if err := t.walkDir(top, host, inside, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// readNames returns the names in the directory at host path dir, sorted.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// excluded reports whether .dockerignore excludes rel.
func (t *sourceTree) excluded(rel string) bool {
	if !t.context || t.ignore == nil || rel == "." {
		return false
	}
	ok, err := t.ignore.MatchesOrParentMatches(rel)
	return err == nil && ok
}

// resolve follows the symlinks of rel in the tree. In the context a path
// that leads out of it is errOutside; in an image the root clamps ".."
// and absolute targets resolve from it.
func (t *sourceTree) resolve(rel string) (string, error) {
	w := symlinkWalk{
		root: ".",
		lstat: func(p string) (fs.FileInfo, error) {
			return os.Lstat(filepath.Join(t.root, p))
		},
		readlink: func(p string) (string, error) {
			return os.Readlink(filepath.Join(t.root, p))
		},
	}
	if t.context {
		w.aboveRoot = errOutside
		w.absolute = func(target string) (string, error) {
			inside, ok := within(t.root, filepath.Clean(target))
			if !ok {
				return "", errOutside
			}
			return inside, nil
		}
	}
	return w.resolve(rel)
}

// glob returns the paths of the tree that match pattern, component by
// component as filepath.Match does, sorted, without excluded ones.
func (t *sourceTree) glob(pattern string) ([]string, error) {
	matches := []string{"."}
	for _, part := range splitPath(pattern) {
		var next []string
		for _, m := range matches {
			if !hasWildcard(part) {
				next = append(next, path.Join(m, part))
				continue
			}
			if _, err := path.Match(part, ""); err != nil {
				return nil, err
			}
			dir, err := t.resolve(m)
			if err != nil {
				continue
			}
			entries, err := os.ReadDir(filepath.Join(t.root, dir))
			if err != nil {
				continue
			}
			for _, e := range entries {
				if ok, _ := path.Match(part, e.Name()); ok {
					next = append(next, path.Join(m, e.Name()))
				}
			}
		}
		matches = next
	}
	out := matches[:0]
	for _, m := range matches {
		resolved, err := t.resolve(m)
		switch {
		case errors.Is(err, errOutside):
			// Kept, so that collect reports the escape.
		case err != nil, t.excluded(resolved):
			continue
		}
		out = append(out, m)
	}
	slices.Sort(out)
	return out, nil
}

// within returns p relative to root when p is root or inside it.
func within(root, p string) (string, bool) {
	if p == root {
		return ".", true
	}
	if rest, ok := strings.CutPrefix(p, root+string(filepath.Separator)); ok {
		return filepath.ToSlash(rest), true
	}
	return "", false
}

// hasWildcard reports whether a source path is a pattern.
func hasWildcard(p string) bool {
	return strings.ContainsAny(p, "*?[")
}
