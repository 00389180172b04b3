package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// Changes lists what differs between the container's filesystem and its
// image (`diff`), from the overlay's upper directory: a whiteout is a
// deleted path (D), a path the image has is changed (C), another added
// (A). A directory the image has is listed only when something below it
// is (copying a file up copies its directories up too), and the mount
// points the runtime made (for /proc, /etc/hosts, volumes...) are not
// changes, as in Docker, whose init layer holds them. Sorted by path.
func (s *Service) Changes(ctx context.Context, ref string) ([]api.ContainerChange, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	r := e.snapshot()
	ctx, release := s.images.WithLease(ctx)
	defer release()
	s.images.Lease(ctx, r.Layers...)
	d := differ{lowers: s.images.LowerDirs(r.Layers), mounts: s.mountPoints(e)}
	if _, err := d.walk(ctx, filepath.Join(s.containerDir(r.ID), "upper"), "/"); err != nil {
		return nil, fmt.Errorf("listing the changes of container %s: %w", r.Name, err)
	}
	slices.SortFunc(d.out, func(a, b api.ContainerChange) int {
		switch {
		case a.Path < b.Path:
			return -1
		case a.Path > b.Path:
			return 1
		}
		return 0
	})
	return d.out, nil
}

// mountPoints are the destinations of the container's mounts: the runtime
// makes them in the upper directory when the image lacks them, and they
// are no change of the container's (Docker keeps them in an init layer).
func (s *Service) mountPoints(e *entry) map[string]bool {
	mounts := map[string]bool{}
	if spec, err := s.loadSpec(e); err == nil {
		for _, m := range spec.Mounts {
			mounts[path.Clean("/"+m.Destination)] = true
		}
	}
	return mounts
}

// runtimeMade reports whether the upper directory's entry cpath (a
// directory, or a file of size bytes) is a mount point the runtime made:
// a mount destination that is an empty file, or a directory the image
// does not have.
func (d *differ) runtimeMade(cpath string, isDir bool, size int64) bool {
	if !d.mounts[cpath] {
		return false
	}
	if isDir {
		return !d.inLower(cpath)
	}
	return size == 0
}

// differ walks an upper directory against its lower layers.
type differ struct {
	lowers []string // top first
	mounts map[string]bool
	out    []api.ContainerChange
}

// walk lists the changes below the upper directory dir, whose path in the
// container is rel, and reports whether it listed any.
func (d *differ) walk(ctx context.Context, dir, rel string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return false, fmt.Errorf("listing %s: %w", dir, err)
	}
	listed := false
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		p, cpath := filepath.Join(dir, n), path.Join(rel, n)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return false, &os.PathError{Op: "lstat", Path: p, Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			d.out = append(d.out, api.ContainerChange{Path: cpath, Kind: api.ChangeDelete})
			listed = true
			continue
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR && d.runtimeMade(cpath, false, st.Size) {
			continue
		}
		inLower := d.inLower(cpath)
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			d.out = append(d.out, change(cpath, inLower))
			listed = true
			continue
		}
		at := len(d.out)
		below, err := d.walk(ctx, p, cpath)
		if err != nil {
			return false, err
		}
		opaque := isOpaqueDir(p)
		switch {
		case !inLower && d.mounts[cpath] && !below:
			// A mount point directory the runtime made.
		case !inLower || below || opaque:
			d.out = slices.Insert(d.out, at, change(cpath, inLower))
			listed = true
		}
	}
	return listed, nil
}

// inLower reports whether the image (the lower layers merged) has cpath.
func (d *differ) inLower(cpath string) bool {
	for _, l := range d.lowers {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(l, cpath), &st); err == nil {
			return !(st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0)
		}
		if parentOpaque(l, cpath) {
			return false
		}
	}
	return false
}

// parentOpaque reports whether a directory above cpath in layer l is opaque
// (hides the layers below).
func parentOpaque(l, cpath string) bool {
	for dir := path.Dir(cpath); dir != "/"; dir = path.Dir(dir) {
		if isOpaqueDir(filepath.Join(l, dir)) {
			return true
		}
	}
	return false
}

func isOpaqueDir(p string) bool {
	buf := make([]byte, 1)
	n, err := unix.Lgetxattr(p, archive.OverlayOpaqueXattr, buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

func change(p string, inLower bool) api.ContainerChange {
	if inLower {
		return api.ContainerChange{Path: p, Kind: api.ChangeModify}
	}
	return api.ContainerChange{Path: p, Kind: api.ChangeAdd}
}

// Export writes the container's whole filesystem to w as a tar (`export`):
// its image's layers and its own changes merged as the overlay shows them,
// without its volumes and bind mounts, streamed from the layer directories
// (running or not, nothing is mounted). Owners are the container's own ids
// (a private user namespace's host ids are mapped back).
func (s *Service) Export(ctx context.Context, ref string, w io.Writer) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	r := e.snapshot()
	ctx, release := s.images.WithLease(ctx)
	defer release()
	s.images.Lease(ctx, r.Layers...)
	dirs := append([]string{filepath.Join(s.containerDir(r.ID), "upper")}, s.images.LowerDirs(r.Layers)...)
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("exporting container %s: a layer is missing (was the container or its image removed?): %w", r.Name, err)
			}
			return fmt.Errorf("exporting container %s: %w", r.Name, err)
		}
	}
	write := func(w io.Writer) error { return archive.WriteMerged(ctx, w, dirs) }
	if shift := r.usernsRange(); shift != 0 {
		err = pipeTar(ctx, w, write, func(h *tarHeader) error {
			// Only the container's own files carry host ids; the image's
			// layers keep the image's.
			h.Uid, h.Gid = unshiftOwn(h.Uid, shift), unshiftOwn(h.Gid, shift)
			return nil
		})
	} else {
		err = write(w)
	}
	if err != nil {
		return fmt.Errorf("exporting container %s: %w", r.Name, err)
	}
	s.publish(r, "export", nil)
	return nil
}
