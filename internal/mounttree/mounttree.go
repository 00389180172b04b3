// Package mounttree removes directory trees that may have file systems
// mounted inside them: a leftover overlay root, a debootstrap chroot's
// /proc, idmapped layer mounts. os.RemoveAll alone would descend into
// such a mount and delete what it shows.
package mounttree

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Unmount detaches every mount at or below dir, the most recent first:
// /proc/self/mountinfo lists mounts in the order they were made, so
// going backwards takes a mount off before anything it covers (a mount
// stacked over a directory holding another mount, which an order by depth
// would get wrong). Mounts that are already gone are not an error.
func Unmount(dir string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return fmt.Errorf("reading the mount table: %w", err)
	}
	for _, m := range slices.Backward(mounts) {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return &os.PathError{Op: "umount", Path: m.Mountpoint, Err: err}
		}
	}
	return nil
}

// RemoveAll removes dir after unmounting whatever is mounted below it.
func RemoveAll(dir string) error {
	if err := Unmount(dir); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}
