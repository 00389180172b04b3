package host

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// UnmountUnder detaches every mount at or below dir, deepest first.
func UnmountUnder(dir string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return err
	}
	slices.SortFunc(mounts, func(a, b *mountinfo.Info) int { return len(b.Mountpoint) - len(a.Mountpoint) })
	var errs []error
	for _, m := range mounts {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			errs = append(errs, &os.PathError{Op: "unmount", Path: m.Mountpoint, Err: err})
		}
	}
	return errors.Join(errs...)
}

// Existed records whether each path exists, so that RemoveNew later
// removes only what a peer made (containerd's shims always use
// /run/containerd/s, whoever started them).
func Existed(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		_, err := os.Lstat(p)
		m[p] = err == nil
	}
	return m
}

// RemoveNew removes, deepest first, the paths of before that did not
// exist then: files, and directories once empty. A directory that is not
// empty (someone else uses it now) is left alone.
func RemoveNew(before map[string]bool) {
	var paths []string
	for p, was := range before {
		if !was {
			paths = append(paths, p)
		}
	}
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	for _, p := range paths {
		_ = os.Remove(p) // a file, or a directory only when empty
	}
}

// RemoveDir unmounts what is left under dir and removes it, the entry
// named last at the very end: a run record, so that a removal that fails
// half-way is retried by the next run that finds the record. Symbolic
// links are removed, never followed.
func RemoveDir(dir, last string) error {
	if err := UnmountUnder(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == last {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}
