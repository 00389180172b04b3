package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// openInRoot opens rel, a path resolve made relative to the root dir, as
// an O_PATH handle with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS):
// the kernel keeps every step of the walk, symlinks and ".." included,
// inside dir, whatever changed in the tree since resolve.
//
// pathrs.OpenatInRoot makes the same call and then checks the result's
// path through a procfs instance of its own, which it mounts anew
// (fsopen, fsmount) on every call when it cannot keep one, as in a
// container's new PID namespace: some 15 system calls and a superblock
// per target. root.check makes that check here, once, through
// /proc/self/fd. Kernels without openat2 (before 5.6) get pathrs's way.
func openInRoot(dir *os.File, rel string) (*os.File, error) {
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(int(dir.Fd()), rel, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), filepath.Join(dir.Name(), rel)), nil
		case errors.Is(err, unix.EAGAIN) && tries < 64:
			// A rename elsewhere in the tree raced the walk; the
			// kernel asks for a retry rather than risk an escape.
		case errors.Is(err, unix.ENOSYS):
			return pathrs.OpenatInRoot(dir, rel)
		default:
			return nil, &os.PathError{Op: "openat2", Path: rel, Err: err}
		}
	}
}

// mkdirAllInRoot makes sure rel (resolved as for openInRoot) is a
// directory, creating it and its missing parents with mode (less the
// umask), and returns an O_PATH handle on it. Each directory is made with
// mkdirat in a parent opened by openInRoot and then opened the same way,
// so a symlink planted meanwhile still leads only inside dir; a
// component that exists but is not a directory fails with ENOTDIR.
func mkdirAllInRoot(dir *os.File, rel string, mode uint32) (*os.File, error) {
	f, err := openInRoot(dir, rel)
	if err == nil {
		return isDir(f, rel)
	}
	if !errors.Is(err, unix.ENOENT) || rel == "." {
		return nil, err
	}
	parent, err := mkdirAllInRoot(dir, filepath.Dir(rel), mode)
	if err != nil {
		return nil, err
	}
	err = unix.Mkdirat(int(parent.Fd()), filepath.Base(rel), mode)
	parent.Close()
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, &os.PathError{Op: "mkdirat", Path: rel, Err: err}
	}
	if f, err = openInRoot(dir, rel); err != nil {
		return nil, err
	}
	return isDir(f, rel)
}

// isDir returns f if it is a directory, else closes it and fails with
// ENOTDIR.
func isDir(f *os.File, rel string) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat of %q: %w", rel, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		f.Close()
		return nil, &os.PathError{Op: "mkdir", Path: rel, Err: unix.ENOTDIR}
	}
	return f, nil
}
