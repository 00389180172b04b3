package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ExtractOptions control how Extract writes a tar stream.
type ExtractOptions struct {
	// OverlayWhiteouts converts OCI whiteouts into the OverlayFS upper
	// directory form: ".wh.name" becomes a 0:0 character device "name" and
	// ".wh..wh..opq" sets trusted.overlay.opaque=y on its directory. Without
	// it such entries are extracted as the ordinary files they look like.
	OverlayWhiteouts bool
	// NoOwnership leaves every entry owned by the caller instead of the
	// uid/gid recorded in the archive (for callers that are not root).
	NoOwnership bool
	// MaxBytes, when positive, bounds the total size of the file contents;
	// a larger archive fails with ErrInvalidArgument.
	MaxBytes int64
}

// Extract unpacks the tar stream r into dir, which must exist. Entries
// replace what is already there (a directory entry over an existing
// directory only updates its metadata). Names are resolved inside dir as if
// it were "/", so the archive cannot create, modify or delete anything
// outside it; malformed entries fail with ErrInvalidArgument.
func Extract(ctx context.Context, r io.Reader, dir string, opts ExtractOptions) error {
	rootfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening extraction root: %w", &os.PathError{Op: "open", Path: dir, Err: err})
	}
	defer unix.Close(rootfd)
	x := extractor{root: rootfd, opts: opts}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar header: %w: %w", errdefs.ErrInvalidArgument, err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return fmt.Errorf("extracting %q into %s: %w", hdr.Name, dir, err)
		}
	}
	// Directory times last: creating entries inside a directory changes
	// its mtime. Deepest first is not needed (setting a directory's times
	// does not touch its parent's).
	for _, d := range slices.Backward(x.dirTimes) {
		if err := x.setTimesByName(d.name, d.atime, d.mtime); err != nil {
			return fmt.Errorf("setting times of %q in %s: %w", d.name, dir, err)
		}
	}
	return nil
}

// extractor carries the state of one Extract call.
type extractor struct {
	root     int
	opts     ExtractOptions
	written  int64
	dirTimes []dirTime
}

type dirTime struct {
	name         string
	atime, mtime time.Time
}

// entry extracts one tar entry.
func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name := cleanName(hdr.Name)
	if name == "." {
		// The root itself: only a directory entry means something (its
		// metadata); anything else (a symlink named "..", an empty name) is
		// dropped rather than allowed to replace the root.
		if hdr.Typeflag == tar.TypeDir {
			return x.metadata(x.root, ".", ".", hdr)
		}
		return nil
	}
	parent, base := path.Dir(name), path.Base(name)
	if x.opts.OverlayWhiteouts && strings.HasPrefix(base, WhiteoutPrefix) {
		return x.whiteout(parent, base)
	}
	pfd, err := mkdirAllInRoot(x.root, parent)
	if err != nil {
		return fmt.Errorf("resolving parent directory: %w", err)
	}
	defer unix.Close(pfd)

	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.dir(pfd, name, base, hdr)
	case tar.TypeReg, tar.TypeCont: // the reader turns old-style TypeRegA into TypeReg
		return x.file(pfd, name, base, hdr, r)
	case tar.TypeSymlink:
		if err := removeAt(pfd, base); err != nil {
			return err
		}
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return &os.PathError{Op: "symlinkat", Path: name, Err: err}
		}
		return x.metadata(pfd, base, name, hdr)
	case tar.TypeLink:
		return x.hardlink(pfd, name, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if err := removeAt(pfd, base); err != nil {
			return err
		}
		mode := uint32(hdr.Mode) & 0o7777
		switch hdr.Typeflag {
		case tar.TypeChar:
			mode |= unix.S_IFCHR
		case tar.TypeBlock:
			mode |= unix.S_IFBLK
		default:
			mode |= unix.S_IFIFO
		}
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(pfd, base, mode, int(dev)); err != nil {
			return &os.PathError{Op: "mknodat", Path: name, Err: err}
		}
		return x.metadata(pfd, base, name, hdr)
	default:
		return fmt.Errorf("%w: unsupported tar entry type %q", errdefs.ErrInvalidArgument, hdr.Typeflag)
	}
}

// dir creates (or keeps) a directory entry.
func (x *extractor) dir(pfd int, name, base string, hdr *tar.Header) error {
	var st unix.Stat_t
	err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR:
		// Keep the directory and its content; only metadata changes.
	case err == nil || err == unix.ENOENT:
		if err := removeAt(pfd, base); err != nil {
			return err
		}
		if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
			return &os.PathError{Op: "mkdirat", Path: name, Err: err}
		}
	default:
		return &os.PathError{Op: "fstatat", Path: name, Err: err}
	}
	return x.metadata(pfd, base, name, hdr)
}

// file writes a regular file entry.
func (x *extractor) file(pfd int, name, base string, hdr *tar.Header, r io.Reader) error {
	if hdr.Size < 0 {
		return fmt.Errorf("%w: negative size %d", errdefs.ErrInvalidArgument, hdr.Size)
	}
	x.written += hdr.Size
	if x.opts.MaxBytes > 0 && x.written > x.opts.MaxBytes {
		return fmt.Errorf("%w: archive content exceeds %d bytes", errdefs.ErrInvalidArgument, x.opts.MaxBytes)
	}
	if err := removeAt(pfd, base); err != nil {
		return err
	}
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "openat", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), base)
	n, err := io.Copy(f, tarContent{io.LimitReader(r, hdr.Size)})
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("%w: content ends after %d of %d bytes", errdefs.ErrInvalidArgument, n, hdr.Size)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return x.metadata(pfd, base, name, hdr)
}

// hardlink links name to the entry the header names, which must already
// exist inside the root. The link target's parents are resolved inside the
// root; the target itself is not followed, so a link to a symlink links the
// symlink.
func (x *extractor) hardlink(pfd int, name, base string, hdr *tar.Header) error {
	target := cleanName(hdr.Linkname)
	if target == "." {
		return fmt.Errorf("%w: hard link to the root directory", errdefs.ErrInvalidArgument)
	}
	if target == name {
		return nil
	}
	tfd, err := openInRoot(x.root, path.Dir(target), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("%w: hard link target %q: %w", errdefs.ErrInvalidArgument, hdr.Linkname, err)
	}
	defer unix.Close(tfd)
	if err := removeAt(pfd, base); err != nil {
		return err
	}
	if err := unix.Linkat(tfd, path.Base(target), pfd, base, 0); err != nil {
		if err == unix.ENOENT {
			return fmt.Errorf("%w: hard link target %q does not exist", errdefs.ErrInvalidArgument, hdr.Linkname)
		}
		return &os.PathError{Op: "linkat", Path: name + " -> " + target, Err: err}
	}
	// A hard link shares its target's inode: its metadata is the
	// target's, so none is applied here.
	return nil
}

// whiteout converts an OCI whiteout entry into its overlay form.
func (x *extractor) whiteout(parent, base string) error {
	if base == WhiteoutOpaque {
		pfd, err := mkdirAllInRoot(x.root, parent)
		if err != nil {
			return fmt.Errorf("resolving opaque directory: %w", err)
		}
		defer unix.Close(pfd)
		if err := unix.Fsetxattr(pfd, OverlayOpaqueXattr, []byte("y"), 0); err != nil {
			return &os.PathError{Op: "setxattr " + OverlayOpaqueXattr, Path: parent, Err: err}
		}
		return nil
	}
	if strings.HasPrefix(base, WhiteoutMetaPrefix) {
		// Other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs) has no
		// meaning here.
		return nil
	}
	target, ok := whiteoutTarget(base)
	if !ok {
		return fmt.Errorf("%w: invalid whiteout name %q", errdefs.ErrInvalidArgument, path.Join(parent, base))
	}
	pfd, err := mkdirAllInRoot(x.root, parent)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		// The parent is a dangling symlink or not a directory: there is
		// nothing below it to delete.
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolving whiteout directory: %w", err)
	}
	defer unix.Close(pfd)
	if err := removeAt(pfd, target); err != nil {
		return err
	}
	if err := unix.Mknodat(pfd, target, unix.S_IFCHR, 0); err != nil {
		return &os.PathError{Op: "mknodat (whiteout)", Path: path.Join(parent, target), Err: err}
	}
	return nil
}

// metadata applies ownership, mode, xattrs and times to base in pfd (name
// is its path inside the root), in that order: chown clears setuid bits and
// file capabilities, so it goes first. Symlinks get no mode (Linux has none
// for them). Directory times are deferred to the end of the extraction.
func (x *extractor) metadata(pfd int, base, name string, hdr *tar.Header) error {
	if !x.opts.NoOwnership {
		if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: fmt.Sprintf("lchown %d:%d", hdr.Uid, hdr.Gid), Path: name, Err: err}
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		// fchmodat follows a final symlink, but base is the entry just
		// created (or the directory just checked) and not a symlink.
		if err := unix.Fchmodat(pfd, base, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return &os.PathError{Op: fmt.Sprintf("chmod %#o", hdr.Mode&0o7777), Path: name, Err: err}
		}
	}
	for key, value := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(key, "SCHILY.xattr.")
		if !ok || isOverlayXattr(attr) {
			continue
		}
		if err := unix.Lsetxattr(procPath(pfd, base), attr, []byte(value), 0); err != nil {
			return &os.PathError{Op: "lsetxattr " + attr, Path: name, Err: err}
		}
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		x.dirTimes = append(x.dirTimes, dirTime{name: name, atime: atime, mtime: hdr.ModTime})
		return nil
	}
	return setTimes(pfd, base, atime, hdr.ModTime)
}

// setTimesByName sets the times of the directory name (inside the root) at
// the end of the extraction. A later entry may have replaced it with
// something else; then there is nothing to do.
func (x *extractor) setTimesByName(name string, atime, mtime time.Time) error {
	if name == "." {
		return setTimes(x.root, ".", atime, mtime)
	}
	pfd, err := openInRoot(x.root, path.Dir(name), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return nil
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, path.Base(name), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	return setTimes(pfd, path.Base(name), atime, mtime)
}

// setTimes sets the times of base in dirfd without following a symlink.
func setTimes(dirfd int, base string, atime, mtime time.Time) error {
	ts := []unix.Timespec{timespec(atime), timespec(mtime)}
	if err := unix.UtimesNanoAt(dirfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: base, Err: err}
	}
	return nil
}

// timespec converts t; the zero time (no time recorded) becomes the epoch.
func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{}
	}
	return unix.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}

// tarContent marks errors reading an entry's content (a truncated or corrupt
// stream) as the archive's fault, not the file system's.
type tarContent struct{ r io.Reader }

func (t tarContent) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: reading tar content: %w", errdefs.ErrInvalidArgument, err)
	}
	return n, err
}
