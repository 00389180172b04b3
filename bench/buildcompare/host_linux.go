package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(dir string) error {
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

// removeWork unmounts what is left under the work directory and removes
// it, its run record last: a failed removal is retried by the next run.
func removeWork(work string) error {
	if err := unmountUnder(work); err != nil {
		return err
	}
	entries, err := os.ReadDir(work)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.Name() == "run.json" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(work, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(work)
}

// existed records whether each host path exists, so that cleanup removes
// only what the peers made outside the work directory.
func existed(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		_, err := os.Lstat(p)
		m[p] = err == nil
	}
	return m
}

// removeIfNew removes, deepest first, the paths of before that did not
// exist then: files, and directories once empty.
func removeIfNew(before map[string]bool) {
	paths := make([]string, 0, len(before))
	for p, was := range before {
		if !was {
			paths = append(paths, p)
		}
	}
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	for _, p := range paths {
		// os.Remove removes a file, or a directory only when empty.
		_ = os.Remove(p)
	}
}
