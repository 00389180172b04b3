package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// WriteDiff writes dir, a layer in OverlayFS upper-directory form, to w as an
// OCI layer tar: 0:0 character devices become ".wh.<name>" entries and a
// directory marked opaque is followed by a ".wh..wh..opq" entry. The stream
// is deterministic, so equal content always gives equal bytes (and digest):
// entries are in lexical order, times are whole seconds and access/change
// times are left out, user and group are numeric only, overlay-internal and
// SELinux xattrs are dropped, and whiteouts carry no times of their own.
// Sockets are skipped. The root directory itself is not written.
func WriteDiff(ctx context.Context, w io.Writer, dir string) error {
	tw := newTarWriter(w)
	if err := tw.diff(ctx, dir, ""); err != nil {
		return err
	}
	return tw.close()
}

// WriteMerged writes to w the filesystem that stacking dirs (layers in
// OverlayFS upper-directory form, top first) would show: for every path the
// topmost layer that has it wins, whiteouts hide the path in the layers below
// and opaque directories hide the content below them. No whiteouts appear in
// the output; it is the flattened root filesystem, streamed from the layer
// directories without mounting or copying them. The output is deterministic
// in the same way as WriteDiff.
func WriteMerged(ctx context.Context, w io.Writer, dirs []string) error {
	tw := newTarWriter(w)
	var roots []string
	for _, d := range dirs {
		roots = append(roots, d)
		opaque, err := isOpaque(d)
		if err != nil {
			return err
		}
		if opaque {
			break
		}
	}
	if err := tw.merged(ctx, roots, ""); err != nil {
		return err
	}
	return tw.close()
}

// tarWriter writes entries from the filesystem, remembering multiply linked
// files so that their later names become hard links to the first.
type tarWriter struct {
	tw    *tar.Writer
	links map[fileID]string
	buf   []byte
}

type fileID struct{ dev, ino uint64 }

func newTarWriter(w io.Writer) *tarWriter {
	return &tarWriter{tw: tar.NewWriter(w), links: map[fileID]string{}, buf: make([]byte, 128<<10)}
}

func (t *tarWriter) close() error {
	if err := t.tw.Close(); err != nil {
		return fmt.Errorf("finishing tar stream: %w", err)
	}
	return nil
}

// diff writes the content of the directory abs, whose name in the archive is
// rel ("" for the root, else ending in "/"), converting overlay whiteouts.
func (t *tarWriter) diff(ctx context.Context, abs, rel string) error {
	if rel == "" {
		opaque, err := isOpaque(abs)
		if err != nil {
			return err
		}
		if opaque {
			if err := t.whiteout(WhiteoutOpaque); err != nil {
				return err
			}
		}
	}
	names, err := readDirNames(abs)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(abs, n)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return &os.PathError{Op: "lstat", Path: p, Err: err}
		}
		if isWhiteout(&st) {
			if err := t.whiteout(rel + WhiteoutPrefix + n); err != nil {
				return err
			}
			continue
		}
		name := rel + n
		if err := t.entry(p, name, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		opaque, err := isOpaque(p)
		if err != nil {
			return err
		}
		if opaque {
			if err := t.whiteout(name + "/" + WhiteoutOpaque); err != nil {
				return err
			}
		}
		if err := t.diff(ctx, p, name+"/"); err != nil {
			return err
		}
	}
	return nil
}

// merged writes the union of the directories dirs (the same directory in
// several layers, top first, already cut at the first opaque one), whose
// name in the archive is rel.
func (t *tarWriter) merged(ctx context.Context, dirs []string, rel string) error {
	var names []string
	for _, d := range dirs {
		n, err := readDirNames(d)
		if err != nil {
			return err
		}
		names = append(names, n...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		var (
			top   string
			topSt unix.Stat_t
			below []string // the directory n in the layers it merges from
		)
		for _, d := range dirs {
			p := filepath.Join(d, n)
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil {
				if errors.Is(err, unix.ENOENT) {
					continue
				}
				return &os.PathError{Op: "lstat", Path: p, Err: err}
			}
			isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
			if top == "" {
				if isWhiteout(&st) {
					break // deleted: hidden from here down
				}
				top, topSt = p, st
			} else if !isDir {
				break // a non-directory (or whiteout) ends the merge
			}
			if !isDir {
				break
			}
			below = append(below, p)
			opaque, err := isOpaque(p)
			if err != nil {
				return err
			}
			if opaque {
				break
			}
		}
		if top == "" {
			continue
		}
		name := rel + n
		if err := t.entry(top, name, &topSt); err != nil {
			return err
		}
		if topSt.Mode&unix.S_IFMT == unix.S_IFDIR {
			if err := t.merged(ctx, below, name+"/"); err != nil {
				return err
			}
		}
	}
	return nil
}

// header describes the filesystem object p (stat st) as the archive entry
// name; nil for a socket, which is not archived. A multiply linked regular
// file seen before becomes a hard link to its first name.
func (t *tarWriter) header(p, name string, st *unix.Stat_t) (*tar.Header, error) {
	hdr := &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, 0),
		Format:  tar.FormatPAX,
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
		if st.Nlink > 1 {
			id := fileID{dev: st.Dev, ino: st.Ino}
			if first, ok := t.links[id]; ok {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				t.links[id] = name
			}
		}
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return nil, fmt.Errorf("reading symlink: %w", err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, nil // sockets are not archived
	}
	xattrs, err := readXattrs(p)
	if err != nil {
		return nil, err
	}
	if len(xattrs) > 0 {
		hdr.PAXRecords = xattrs
	}
	return hdr, nil
}

// entry writes the header (and content) of the filesystem object p with the
// archive name name.
func (t *tarWriter) entry(p, name string, st *unix.Stat_t) error {
	hdr, err := t.header(p, name, st)
	if err != nil || hdr == nil {
		return err
	}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing tar header for %s: %w", p, err)
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("opening layer file: %w", err)
	}
	defer f.Close()
	n, err := io.CopyBuffer(t.tw, io.LimitReader(f, hdr.Size), t.buf)
	if err != nil {
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("archiving %s: file shrank from %d to %d bytes while being read", p, hdr.Size, n)
	}
	return nil
}

// whiteout writes an OCI whiteout marker. It carries no owner, mode or time
// of its own, so deleting the same file always gives the same bytes.
func (t *tarWriter) whiteout(name string) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing whiteout %s: %w", name, err)
	}
	return nil
}

// isWhiteout reports whether st is an overlay whiteout (a 0:0 character
// device).
func isWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

// isOpaque reports whether the directory p is marked opaque.
func isOpaque(p string) (bool, error) {
	buf := make([]byte, 8)
	n, err := unix.Lgetxattr(p, OverlayOpaqueXattr, buf)
	switch {
	case err == nil:
		return n == 1 && buf[0] == 'y', nil
	case errors.Is(err, unix.ENODATA), errors.Is(err, unix.ENOTSUP):
		return false, nil
	}
	return false, &os.PathError{Op: "lgetxattr " + OverlayOpaqueXattr, Path: p, Err: err}
}

// readXattrs returns the xattrs of p worth archiving, as PAX records.
func readXattrs(p string) (map[string]string, error) {
	size, err := unix.Llistxattr(p, nil)
	if err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		return nil, &os.PathError{Op: "llistxattr", Path: p, Err: err}
	}
	if size == 0 {
		return nil, nil
	}
	list := make([]byte, size)
	size, err = unix.Llistxattr(p, list)
	if err != nil {
		return nil, &os.PathError{Op: "llistxattr", Path: p, Err: err}
	}
	var records map[string]string
	for _, attr := range strings.Split(string(bytes.TrimRight(list[:size], "\x00")), "\x00") {
		// Overlay bookkeeping is not content; SELinux labels belong to
		// the host's policy, not to the image.
		if attr == "" || isOverlayXattr(attr) || attr == "security.selinux" {
			continue
		}
		val, err := getXattr(p, attr)
		if err != nil {
			return nil, err
		}
		if records == nil {
			records = map[string]string{}
		}
		records["SCHILY.xattr."+attr] = string(val)
	}
	return records, nil
}

func getXattr(p, attr string) ([]byte, error) {
	for {
		size, err := unix.Lgetxattr(p, attr, nil)
		if err != nil {
			return nil, &os.PathError{Op: "lgetxattr " + attr, Path: p, Err: err}
		}
		buf := make([]byte, size)
		n, err := unix.Lgetxattr(p, attr, buf)
		if errors.Is(err, unix.ERANGE) {
			continue // grew in between
		}
		if err != nil {
			return nil, &os.PathError{Op: "lgetxattr " + attr, Path: p, Err: err}
		}
		return buf[:n], nil
	}
}

// readDirNames lists a directory in lexical order.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("opening layer directory: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	slices.Sort(names)
	return names, nil
}
