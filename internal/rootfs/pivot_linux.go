package rootfs

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// PivotRoot makes rootfs (prepared by Prepare) the root of the mount
// namespace with pivot_root(2), and detaches the old root so nothing of the
// host's tree stays reachable. chroot(2) is never used: it leaves the old
// root mounted and reachable by escaping the chroot.
//
// pivot_root(".", ".") with the new root as working directory is valid,
// though put_old is usually a directory under new_root: the kernel stacks
// the old root on top of the new one at the same mount point ("." is under
// "." trivially). The old root is then the top mount of "/"; after fchdir
// to it, umount2(".", MNT_DETACH) removes exactly it and uncovers the new
// root. This needs no writable directory in rootfs for put_old (the rootfs
// may be read-only) and leaves no directory behind. The old root is made
// rslave first so that detaching it does not propagate unmounts to the
// host if it was shared.
//
// pivot_root also moves the root and working directory of every thread in
// the mount namespace that had the old root, so all Go threads follow.
func PivotRoot(rootfs string) error {
	oldRoot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("pivot_root: opening old root: %w", err)
	}
	defer unix.Close(oldRoot)
	newRoot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("pivot_root: opening new root %q: %w", rootfs, err)
	}
	defer unix.Close(newRoot)

	if err := unix.Fchdir(newRoot); err != nil {
		return fmt.Errorf("pivot_root: fchdir to new root %q: %w", rootfs, err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root(%q, %q): %w", rootfs, rootfs, err)
	}
	if err := unix.Fchdir(oldRoot); err != nil {
		return fmt.Errorf("pivot_root: fchdir to old root: %w", err)
	}
	if err := mount("propagation", "", ".", "old root", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("pivot_root: detaching old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("pivot_root: chdir to new root: %w", err)
	}
	return nil
}
