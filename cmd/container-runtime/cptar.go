package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/internal/archive"
)

// hostExtract extracts a tar from a container on the local machine. The
// container made the tar, so nothing in it is trusted: entries outside
// the copied path are dropped, the rest is extracted by archive.Extract
// (every name resolved inside root, no symlink followed out of it), and
// device nodes are never made.
type hostExtract struct {
	// root is the existing directory extracted into: for a directory,
	// the destination directory itself, so that nothing in the tar (a
	// symlink to "..", say) reaches beside it.
	root string
	// from is the tar's top name; to is the name it gets under root ("."
	// for root itself: a directory's content copied into it).
	from, to string
	// single takes only the top entry (the source is not a directory).
	single bool
	// top, when set, receives the top entry's header (the copied
	// directory's own mode, owner and times, which to="." leaves out).
	top *tar.Header
	// preserveOwners keeps the tar's owners (cp -a, as root); otherwise
	// files belong to the user running cp.
	preserveOwners bool
	// warn receives a note about the entries left out.
	warn io.Writer
}

// extract extracts r and returns the size of the files written.
func (x hostExtract) extract(ctx context.Context, r io.Reader) (int64, error) {
	var (
		size    int64
		devices int
	)
	filter := func(h *tar.Header) (bool, error) {
		name, ok := x.rename(h.Name)
		if !ok {
			return false, nil
		}
		if name == "." && x.to == "." {
			// The copied directory itself: its content goes into root,
			// whose own metadata is the caller's to set.
			if x.top != nil && h.Typeflag == tar.TypeDir {
				*x.top = *h
			}
			return false, nil
		}
		switch h.Typeflag {
		case tar.TypeChar, tar.TypeBlock:
			devices++
			return false, nil
		case tar.TypeLink:
			target, ok := x.rename(h.Linkname)
			if !ok {
				return false, nil
			}
			h.Linkname = target
		case tar.TypeReg:
			size += h.Size
		}
		h.Name = name
		return true, nil
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := archive.Rewrite(ctx, pw, r, filter)
		pw.CloseWithError(err)
		done <- err
	}()
	opts := archive.ExtractOptions{NoOwnership: !x.preserveOwners || os.Geteuid() != 0}
	err := archive.Extract(ctx, pr, x.root, opts)
	pr.CloseWithError(io.ErrClosedPipe)
	if rerr := <-done; rerr != nil && !errors.Is(rerr, io.ErrClosedPipe) {
		err = rerr
	}
	if err != nil {
		return size, err
	}
	if devices > 0 && x.warn != nil {
		fmt.Fprintf(x.warn, "warning: %d device node(s) left out: cp makes no device nodes on this machine\n", devices)
	}
	return size, nil
}

// rename gives the name under root of the tar entry name, or false for an
// entry outside the copied path (or below a single file), which is left
// out.
func (x hostExtract) rename(name string) (string, bool) {
	n := strings.TrimPrefix(path.Clean("/"+name), "/")
	if n == "" {
		n = "."
	}
	if x.from == "." {
		return path.Join(x.to, n), !x.single || n == "."
	}
	rest, ok := strings.CutPrefix(n, x.from)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) || (x.single && rest != "") {
		return "", false
	}
	return path.Join(x.to, rest), true
}

// hostTar writes a local file or directory as the tar cp sends into a
// container.
type hostTar struct {
	// src is the local path; name its name in the tar ("." for a
	// directory's content only).
	src, name string
	// followTop follows src itself when it is a symlink (cp -L); symlinks
	// below it are always copied as symlinks.
	followTop bool
}

// write writes the tar to w and returns the size of the files in it.
func (h hostTar) write(ctx context.Context, w io.Writer) (int64, error) {
	t := hostWalker{tw: tar.NewWriter(w), links: map[[2]uint64]string{}}
	src := h.src
	if h.followTop {
		var err error
		if src, err = filepath.EvalSymlinks(src); err != nil {
			return 0, err
		}
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return 0, err
	}
	if err := t.walk(ctx, src, h.name, fi); err != nil {
		return t.size, err
	}
	if err := t.tw.Close(); err != nil {
		return t.size, fmt.Errorf("finishing the tar: %w", err)
	}
	return t.size, nil
}

type hostWalker struct {
	tw    *tar.Writer
	links map[[2]uint64]string
	size  int64
}

// walk writes p (described by fi) as name, and a directory's content.
func (t *hostWalker) walk(ctx context.Context, p, name string, fi os.FileInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if name != "." {
		if err := t.entry(p, name, fi); err != nil {
			return err
		}
	}
	if !fi.IsDir() {
		return nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	for _, n := range names {
		child := filepath.Join(p, n)
		cfi, err := os.Lstat(child)
		if err != nil {
			return err
		}
		if err := t.walk(ctx, child, path.Join(name, n), cfi); err != nil {
			return err
		}
	}
	return nil
}

// entry writes the header, and a regular file's content.
func (t *hostWalker) entry(p, name string, fi os.FileInfo) error {
	if fi.Mode()&os.ModeSocket != 0 {
		return nil
	}
	link := ""
	if fi.Mode()&os.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("describing %s: %w", p, err)
	}
	hdr.Name, hdr.Uname, hdr.Gname = name, "", ""
	hdr.ModTime = fi.ModTime().Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Format = tar.FormatPAX
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 {
		id := [2]uint64{st.Dev, st.Ino}
		if first, seen := t.links[id]; seen {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			t.links[id] = name
		}
	}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing the header of %s: %w", p, err)
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(t.tw, io.LimitReader(f, hdr.Size))
	t.size += n
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("reading %s: it shrank from %d to %d bytes while being copied", p, hdr.Size, n)
	}
	return nil
}
