package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// overlayOptions are set on every overlay mount. Layers are committed by
// archiving the upper directory, so every change must be spelled out there in
// plain form: no redirect xattrs for renamed directories (renames then fall
// back to copy, which mv and rename(2) users handle through EXDEV), no
// metadata-only copy-ups that leave the data in a lower layer, and no inode
// index (which only matters for hard links across copy-up and NFS export).
const overlayOptions = "redirect_dir=off,metacopy=off,index=off"

// Mount mounts at target the overlay of lowers (top first, as OverlayFS
// orders them) with upper and work as its writable upper and work
// directories; with both empty the mount is read-only. Edge cases OverlayFS
// itself refuses are covered with bind mounts: a single lower without upper
// is bound read-only, an upper without lowers is bound writable.
func Mount(ctx context.Context, target string, lowers []string, upper, work string) error {
	return mount(ctx, target, lowers, upper, work, overlayOptions)
}

// MountVolatile mounts as Mount does, with OverlayFS's volatile option:
// no sync of the upper directory's file system, neither when a process in
// the mount calls fsync or syncfs nor when it is unmounted (which
// otherwise writes back every dirty page of that file system, tens of
// milliseconds). It is for an upper directory that is thrown away with
// the mount (a --rm container's): after a power cut its content is
// undefined. upper and work are required.
//
// A volatile mount leaves the marker work/work/incompat/volatile, which
// makes the kernel refuse the next mount of that work directory; it is
// removed first, the upper directory being disposable by the caller's
// word.
func MountVolatile(ctx context.Context, target string, lowers []string, upper, work string) error {
	if upper == "" || work == "" {
		return fmt.Errorf("mounting %s: %w: a volatile mount needs upper and work directories", target, errdefs.ErrInvalidArgument)
	}
	if err := os.RemoveAll(filepath.Join(work, "work", "incompat", "volatile")); err != nil {
		return fmt.Errorf("mounting %s: removing the mark of a previous volatile mount: %w", target, err)
	}
	return mount(ctx, target, lowers, upper, work, overlayOptions+",volatile")
}

// mount is Mount with the overlay options opts.
func mount(ctx context.Context, target string, lowers []string, upper, work, opts string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if (upper == "") != (work == "") {
		return fmt.Errorf("mounting %s: %w: upper and work directories go together (upper %q, work %q)", target, errdefs.ErrInvalidArgument, upper, work)
	}
	switch {
	case len(lowers) == 0 && upper == "":
		return fmt.Errorf("mounting %s: %w: no layers", target, errdefs.ErrInvalidArgument)
	case len(lowers) == 0:
		return bindMount(upper, target, false)
	case len(lowers) == 1 && upper == "":
		// overlay wants at least two lower directories without an upper.
		return bindMount(lowers[0], target, true)
	}
	err := mountFS(target, lowers, upper, work, opts)
	if errors.Is(err, errNoLowerdirAppend) {
		err = mountClassic(target, lowers, upper, work, opts)
	}
	return err
}

// Unmount unmounts target. A target that is not mounted (or does not exist)
// is not an error, so cleanup paths can call it unconditionally. A busy mount
// is detached lazily: it disappears from the tree now and is released when
// its last user goes.
func Unmount(target string) error {
	for {
		err := unix.Unmount(target, 0)
		switch err {
		case nil:
			return nil
		case unix.EINTR:
			continue
		case unix.EINVAL, unix.ENOENT:
			return nil
		case unix.EBUSY:
			if err := unix.Unmount(target, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
				return &os.PathError{Op: "umount (detach)", Path: target, Err: err}
			}
			return nil
		}
		return &os.PathError{Op: "umount", Path: target, Err: err}
	}
}

// bindMount binds src at target, read-only if ro.
func bindMount(src, target string, ro bool) error {
	if err := unix.Mount(src, target, "", unix.MS_BIND, ""); err != nil {
		return &mountError{source: src, target: target, fstype: "bind", err: err}
	}
	if !ro {
		return nil
	}
	// MS_RDONLY is ignored on the bind itself; it takes a remount.
	if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		_ = unix.Unmount(target, unix.MNT_DETACH)
		return &mountError{source: src, target: target, fstype: "bind", options: "remount,ro", err: err}
	}
	return nil
}

// mountError describes a failed mount with its operands, as runc does.
type mountError struct {
	source, target, fstype, options string
	log                             []string // messages from the fs context
	err                             error
}

func (e *mountError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mounting %s on %s (%s", e.source, e.target, e.fstype)
	if e.options != "" {
		fmt.Fprintf(&b, ", %s", e.options)
	}
	fmt.Fprintf(&b, "): %v", e.err)
	if len(e.log) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(e.log, "; "))
	}
	return b.String()
}

func (e *mountError) Unwrap() error { return e.err }
