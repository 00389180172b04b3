package builder

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// contextCopy copies the context's files under source that .dockerignore
// does not exclude into a new directory dir, for a RUN --mount bind of
// the context when it has a .dockerignore: BuildKit binds the context as
// the client sent it, without the excluded files, so a step must not see
// a .env or a key the rules keep out of the build. Files, directories and
// symlinks (as they are, resolved later inside the container) are
// copied; devices and FIFOs are not. The source itself is resolved as
// COPY resolves it (inside the context).
func (s *stageRun) contextCopy(source, dir string) error {
	tree := &sourceTree{root: s.r.ctxDir, context: true, ignore: s.r.ignore}
	sources, err := tree.collect("RUN --mount", cleanSources([]string{source}))
	if err != nil {
		return err
	}
	if len(sources) != 1 {
		return refuse("RUN --mount=type=bind,source=%s: names %d files, want one file or directory", source, len(sources))
	}
	src := sources[0]
	if !src.top.info.IsDir() {
		return copyRegular(src.top.host, dir, src.top.info)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	return tree.walk(src, func(f sourceFile) error {
		dst := filepath.Join(dir, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		switch m := f.info.Mode(); {
		case m.IsDir():
			if err := os.Mkdir(dst, m.Perm()|0o700); err != nil && !os.IsExist(err) {
				return err
			}
		case m.IsRegular():
			return copyRegular(f.host, dst, f.info)
		case m&fs.ModeSymlink != 0:
			link, err := os.Readlink(f.host)
			if err != nil {
				return err
			}
			return os.Symlink(link, dst)
		}
		return nil
	})
}

// copyRegular copies the context file at host to dst, opened without
// following a symlink swapped in since the walk.
func copyRegular(host, dst string, fi fs.FileInfo) error {
	in, err := os.OpenFile(host, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("reading %s: %w", host, err)
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("reading %s: not a regular file", host)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
