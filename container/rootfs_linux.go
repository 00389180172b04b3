package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/snapshot"
)

// mountRootfs mounts the container's overlay: the image's layers under
// its own upper directory. It is mounted for each run and unmounted when
// the run ends, so a stopped container holds no mount.
func (s *Service) mountRootfs(ctx context.Context, r *record) error {
	dir := s.containerDir(r.ID)
	target := s.rootfsDir(r.ID)
	if mounted, err := mountinfo.Mounted(target); err == nil && mounted {
		return nil // a run that died with the daemon left it
	}
	lowers := s.images.LowerDirs(r.Layers)
	for _, l := range lowers {
		if _, err := os.Stat(l); err != nil {
			return fmt.Errorf("image layer of container %s is missing (was the image removed?): %w", r.Name, err)
		}
	}
	if start := r.usernsRange(); start != 0 {
		if err := ensureTraversable(s.root, dir, start, s.userns.Start); err != nil {
			return err
		}
		var err error
		m := snapshot.IDMapping{HostID: start, Size: usernsSize}
		if lowers, err = snapshot.MountIdmapped(ctx, filepath.Join(dir, "lower"), lowers, m); err != nil {
			return err
		}
	}
	// The upper directory of an --rm container goes with the container:
	// its mount never syncs, at the unmount after the exit either (which
	// would otherwise write back the whole file system's dirty pages
	// while the CLI waits for the removal).
	mount := snapshot.Mount
	if r.Config.AutoRemove {
		mount = snapshot.MountVolatile
	}
	if err := mount(ctx, target, lowers, filepath.Join(dir, "upper"), filepath.Join(dir, "work")); err != nil {
		snapshot.UnmountIdmapped(filepath.Join(dir, "lower"))
		return fmt.Errorf("mounting the root file system of %s: %w", r.Name, err)
	}
	return nil
}

// unmountRootfs undoes mountRootfs; it is idempotent.
func (s *Service) unmountRootfs(id string) error {
	if err := snapshot.Unmount(s.rootfsDir(id)); err != nil {
		return fmt.Errorf("unmounting the root file system of %s: %w", id, err)
	}
	if err := s.unmountShm(id); err != nil {
		return err
	}
	// Only a container in a private user namespace has idmapped layer
	// mounts under lower/; the others skip reading the mount table.
	lower := filepath.Join(s.containerDir(id), "lower")
	if _, err := os.Lstat(lower); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return snapshot.UnmountIdmapped(lower)
}

// dirSize sums the sizes of the regular files under dir (for prune).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
