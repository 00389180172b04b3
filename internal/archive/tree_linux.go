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

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// WriteTree writes to w the file or directory base of the open directory
// dirfd, as `cp` reads a path: the top entry is named name and a
// directory's content follows below name/. It is the reading side of
// copying out of a root the caller does not trust (a container's):
//
//   - every entry is reached from the descriptor of its parent directory
//     with O_NOFOLLOW, and is checked after opening to be the inode that
//     was listed, so replacing a directory with a symlink while the walk
//     runs (CVE-2018-15664) makes the walk fail instead of leaving the
//     root;
//   - only regular files are opened for their content (with O_NONBLOCK,
//     so a FIFO swapped in cannot block the reader); devices, FIFOs and
//     symlinks are written as headers only;
//   - directories on the kernel's pseudo filesystems (proc, sysfs,
//     cgroup, devpts, mqueue...) are written without their content.
//
// Mount points below base are crossed (volumes are part of what a
// container sees). Sockets are skipped. Unlike WriteDiff, character
// devices 0:0 are written as devices, not whiteouts.
func WriteTree(ctx context.Context, w io.Writer, dirfd int, base, name string) error {
	t := newTarWriter(w)
	if err := t.tree(ctx, dirfd, base, path.Clean(name)); err != nil {
		return err
	}
	return t.close()
}

// tree writes base (in dirfd) as name and, for a directory, its content.
func (t *tarWriter) tree(ctx context.Context, dirfd int, base, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "lstat", Path: name, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		fd, err := openSame(dirfd, base, name, &st, unix.O_RDONLY|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := t.entryAt(dirfd, base, name, &st, -1); err != nil {
			return err
		}
		if pseudo, err := IsPseudoFS(fd); err != nil || pseudo {
			return err
		}
		names, err := readNamesAt(fd, name)
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := t.tree(ctx, fd, n, name+"/"+n); err != nil {
				return err
			}
		}
		return nil
	case unix.S_IFREG:
		fd, err := openSame(dirfd, base, name, &st, unix.O_RDONLY|unix.O_NONBLOCK)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		// A kernel file (/proc/kcore, a sysfs attribute) is no file to
		// copy, and reading one as root may read the host's memory.
		if pseudo, err := IsPseudoFS(fd); err != nil || pseudo {
			if err == nil {
				err = fmt.Errorf("%w: %s is a file of the kernel's (proc, sysfs...), not copied", errdefs.ErrInvalidArgument, name)
			}
			return err
		}
		return t.entryAt(dirfd, base, name, &st, fd)
	}
	return t.entryAt(dirfd, base, name, &st, -1)
}

// openSame opens base in dirfd without following a symlink and checks that
// it is still the inode st describes (a swap between the lstat and the
// open fails rather than being read).
func openSame(dirfd int, base, name string, st *unix.Stat_t, flags int) (int, error) {
	fd, err := unix.Openat(dirfd, base, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "openat", Path: name, Err: err}
	}
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "fstat", Path: name, Err: err}
	}
	if now.Dev != st.Dev || now.Ino != st.Ino || now.Mode&unix.S_IFMT != st.Mode&unix.S_IFMT {
		unix.Close(fd)
		return -1, fmt.Errorf("%s changed while it was being archived", name)
	}
	return fd, nil
}

// readNamesAt lists the open directory fd in lexical order (fd stays open).
func readNamesAt(fd int, name string) ([]string, error) {
	dup, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "openat", Path: name, Err: err}
	}
	d := os.NewFile(uintptr(dup), name)
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", name, err)
	}
	slices.Sort(names)
	return names, nil
}

// mqueueMagic is MQUEUE_MAGIC (linux/magic.h), which x/sys/unix lacks.
const mqueueMagic = 0x19800202

// IsPseudoFS reports whether the open file fd is on one of the
// filesystems whose content is the kernel's, not files: a container's
// /proc, /sys and friends.
func IsPseudoFS(fd int) (bool, error) {
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		return false, &os.PathError{Op: "fstatfs", Path: fmt.Sprint(fd), Err: err}
	}
	switch int64(sfs.Type) {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC,
		unix.DEVPTS_SUPER_MAGIC, mqueueMagic, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC,
		unix.SECURITYFS_MAGIC, unix.BPF_FS_MAGIC, unix.PSTOREFS_MAGIC:
		return true, nil
	}
	return false, nil
}

// entryAt writes the header of base in dirfd (named name), and the
// content of the regular file open as fd.
func (t *tarWriter) entryAt(dirfd int, base, name string, st *unix.Stat_t, fd int) error {
	hdr, err := t.header(procPath(dirfd, base), name, st)
	if err != nil || hdr == nil {
		return err
	}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing tar header for %s: %w", name, err)
	}
	if fd < 0 || hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	n, err := io.CopyBuffer(t.tw, io.LimitReader(fdReader(fd), hdr.Size), t.buf)
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("archiving %s: %w", name, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("archiving %s: file shrank from %d to %d bytes while being read", name, hdr.Size, n)
	}
	return nil
}

// fdReader reads a descriptor the caller keeps and closes (an *os.File
// would close it again when collected).
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	n, err := unix.Read(int(fd), p)
	switch {
	case err != nil:
		return 0, err
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}
