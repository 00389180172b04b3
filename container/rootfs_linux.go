package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

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
	if r.Config.Userns == "private" {
		if err := ensureTraversable(s.root); err != nil {
			return err
		}
		var err error
		if lowers, err = idmapLowers(ctx, dir, lowers); err != nil {
			return err
		}
	}
	if err := snapshot.Mount(ctx, target, lowers, filepath.Join(dir, "upper"), filepath.Join(dir, "work")); err != nil {
		unmountUnder(filepath.Join(dir, "lower"))
		return fmt.Errorf("mounting the root file system of %s: %w", r.Name, err)
	}
	return nil
}

// unmountRootfs undoes mountRootfs; it is idempotent.
func (s *Service) unmountRootfs(id string) error {
	if err := snapshot.Unmount(s.rootfsDir(id)); err != nil {
		return fmt.Errorf("unmounting the root file system of %s: %w", id, err)
	}
	return unmountUnder(filepath.Join(s.containerDir(id), "lower"))
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(dir string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return fmt.Errorf("reading the mount table: %w", err)
	}
	points := make([]string, 0, len(mounts))
	for _, m := range mounts {
		points = append(points, m.Mountpoint)
	}
	slices.SortFunc(points, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, p := range points {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("unmounting %s: %w", p, &os.PathError{Op: "umount", Path: p, Err: err})
		}
	}
	return nil
}

// removeContainerDir removes a container's directory after unmounting
// whatever is mounted below it, so that RemoveAll never descends into a
// mounted root file system.
func removeContainerDir(dir string) error {
	if err := unmountUnder(dir); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
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
