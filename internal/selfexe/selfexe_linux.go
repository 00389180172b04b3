// Package selfexe opens the running binary for re-executing it in a way
// that a process which reaches it through /proc/PID/exe cannot write to
// (CVE-2019-5736): both the OCI runtime, which starts every container's
// init from our binary, and the monitor, which the daemon starts from its
// own, use it.
package selfexe

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ReadOnly returns a detached read-only bind mount of the running binary,
// or nil when this kernel (open_tree needs Linux 5.2, mount_setattr 5.12)
// or our privileges do not allow one; the caller then chooses its own
// fallback.
//
// open_tree(OPEN_TREE_CLONE) makes a bind mount attached to no mount
// namespace: nothing shows in mountinfo, nothing can remount it, and the
// kernel drops it with the last reference. mount_setattr then makes it
// read-only (writes through it fail with EROFS), nosuid and nodev. Two
// syscalls, where a sealed memfd copy costs a copy of the whole binary.
func ReadOnly() *os.File {
	f, _ := readOnly("/proc/self/exe", false)
	return f
}

// ReadOnlyFile is ReadOnly for another binary, path: the daemon's
// container-runtime-init. Only a regular file that no one but root can
// write is taken (checked on the handle itself, so a file swapped in
// between is the one checked): a binary every container process is
// started from must be as trusted as the daemon's own. The error says why
// a file was refused; (nil, nil) means the kernel or our privileges allow
// no read-only handle, as with ReadOnly.
func ReadOnlyFile(path string) (*os.File, error) {
	return readOnly(path, true)
}

// readOnly opens path as a read-only detached mount; with check, only a
// file checkTrusted accepts.
func readOnly(path string, check bool) (*os.File, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, nil
	}
	if check {
		if err := checkTrusted(fd, path); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil, nil
	}
	return os.NewFile(uintptr(fd), "container-runtime (read-only)"), nil
}

// CheckTrusted refuses the open file fd (named path in messages) unless it
// is a regular file owned by root, or by us, and writable by its owner
// only.
func CheckTrusted(f *os.File, path string) error {
	return checkTrusted(int(f.Fd()), path)
}

func checkTrusted(fd int, path string) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("%s: not a regular file", path)
	case st.Uid != 0 && int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%s: owned by uid %d, not root", path, st.Uid)
	case st.Mode&0o022 != 0:
		return fmt.Errorf("%s: writable by group or others (mode %04o)", path, st.Mode&0o7777)
	}
	return nil
}
