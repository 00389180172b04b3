package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// stdinContext reads `build -`'s stdin as Docker does: a tar archive
// (plain or gzip-compressed) is the build context, anything else is a
// Dockerfile alone, with an empty context. The archive is unpacked into
// a new private directory, returned with a function that removes it;
// a Dockerfile is returned as content, with an empty directory.
func stdinContext(in io.Reader) (dir, dockerfile string, cleanup func(), err error) {
	br := bufio.NewReaderSize(in, 1024)
	head, _ := br.Peek(512)
	dir, err = os.MkdirTemp("", "build-context-")
	if err != nil {
		return "", "", nil, fmt.Errorf("making a directory for the build context: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	var r io.Reader = br
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			cleanup()
			return "", "", nil, fmt.Errorf("reading the build context from stdin: %w", err)
		}
		defer gz.Close()
		r = gz
	} else if !isTar(head) {
		content, err := readDockerfile(br, stdinDockerfile)
		if err != nil {
			cleanup()
			return "", "", nil, err
		}
		return dir, content, cleanup, nil
	}
	if err := untar(tar.NewReader(r), dir); err != nil {
		cleanup()
		return "", "", nil, fmt.Errorf("reading the build context from stdin: %w", err)
	}
	return dir, "", cleanup, nil
}

// isTar tells whether head starts a tar archive (the ustar magic of its
// first header).
func isTar(head []byte) bool {
	return len(head) >= 262 && bytes.HasPrefix(head[257:], []byte("ustar"))
}

// untar unpacks a build context into dir. Names must be local paths and
// no entry is written through a symlink an earlier entry made; symlinks
// themselves are kept as they are (the daemon resolves them inside the
// context). Devices and FIFOs are refused: a context holds files.
func untar(tr *tar.Reader, dir string) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(strings.TrimPrefix(h.Name, "./"))
		if name == "." {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("entry %q is not inside the context", h.Name)
		}
		if err := noSymlinkParents(dir, name); err != nil {
			return err
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(h.Mode) & os.ModePerm
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		case tar.TypeLink:
			target := filepath.Clean(h.Linkname)
			if !filepath.IsLocal(target) {
				return fmt.Errorf("hard link %q leads outside the context", h.Name)
			}
			if err := noSymlinkParents(dir, target); err != nil {
				return err
			}
			if fi, err := os.Lstat(filepath.Join(dir, target)); err != nil || !fi.Mode().IsRegular() {
				return fmt.Errorf("hard link %q: %q is not a file of the context", h.Name, h.Linkname)
			}
			if err := os.Link(filepath.Join(dir, target), p); err != nil {
				return err
			}
		case tar.TypeXGlobalHeader:
		default:
			return fmt.Errorf("entry %q: a build context holds files, directories and links only", h.Name)
		}
	}
}

// noSymlinkParents fails when a directory above name in dir is a
// symlink (or not a directory).
func noSymlinkParents(dir, name string) error {
	p := dir
	parts := strings.Split(filepath.Dir(name), string(filepath.Separator))
	for _, part := range parts {
		if part == "." {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("entry %q goes through %q, which is not a directory", name, part)
		}
	}
	return nil
}
