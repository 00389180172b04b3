// Package selfexe opens the running binary for re-executing it in a way
// that a process which reaches it through /proc/PID/exe cannot write to
// (CVE-2019-5736): both the OCI runtime, which starts every container's
// init from our binary, and the monitor, which the daemon starts from its
// own, use it.
package selfexe

import (
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
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/proc/self/exe", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil
	}
	return os.NewFile(uintptr(fd), "container-runtime (read-only)")
}
