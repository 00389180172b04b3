package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// An image whose /proc, /sys or /dev is a symlink (to "/", say) had the
// kernel's filesystems mounted wherever the link led: over the
// container's own root, or over files the container's other mounts then
// expose. Resolving inside the root (see root.resolve) keeps the target
// in the container but cannot tell that the image meant to redirect it.
// So, as runc does ("filesystem must be mounted on ordinary directory"),
// these destinations are refused rather than followed.

// kernelFS reports whether fstype is one of the kernel's own
// filesystems, whose destination must be an ordinary directory.
func kernelFS(fstype string) bool {
	switch fstype {
	case "proc", "sysfs", "devtmpfs":
		return true
	}
	return false
}

// specialDests returns the destinations no symlink of the image may
// stand for: /proc, /sys and /dev, and wherever spec mounts a kernel
// filesystem.
func specialDests(spec *specs.Spec) map[string]bool {
	special := map[string]bool{"/proc": true, "/sys": true, "/dev": true}
	for _, m := range spec.Mounts {
		if kernelFS(m.Type) {
			special[cleanPath(m.Destination)] = true
		}
	}
	return special
}

// checkDestination refuses the mount m at dest (clean, absolute) when
//
//   - a component of dest that is a special destination (specialDests) is
//     a symlink in the image: /dev/shm through a /dev -> / link, say;
//   - m mounts a kernel filesystem and dest exists as anything but a
//     directory (a symlink above all);
//   - dest resolves to the container's root itself.
func (p *preparer) checkDestination(m specs.Mount, dest string) error {
	for prefix := dest; prefix != "/"; prefix = filepath.Dir(prefix) {
		final := prefix == dest
		if !p.special[prefix] && !(final && kernelFS(m.Type)) {
			continue
		}
		st, link, err := p.root.lstat(prefix)
		if errors.Is(err, unix.ENOENT) {
			continue // created as a directory by the mount
		}
		if err != nil {
			return err
		}
		if link != "" {
			return fmt.Errorf("mount destination %q: %q is a symlink in the image (to %q); it must be a directory: %w", m.Destination, prefix, link, errdefs.ErrInvalidArgument)
		}
		if final && kernelFS(m.Type) && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return fmt.Errorf("mount destination %q: filesystem %q must be mounted on an ordinary directory: %w", m.Destination, m.Type, errdefs.ErrInvalidArgument)
		}
	}
	rel, err := p.root.resolve(dest)
	if err != nil {
		return err
	}
	if rel == "." {
		return fmt.Errorf("mount destination %q resolves to the container's root itself: %w", m.Destination, errdefs.ErrInvalidArgument)
	}
	return nil
}

// lstat returns what the container path dest itself is (not following a
// final symlink), its parent resolved inside the root, and the link's
// target when it is a symlink.
func (r *root) lstat(dest string) (unix.Stat_t, string, error) {
	var st unix.Stat_t
	parentRel, err := r.resolve(filepath.Dir(dest))
	if err != nil {
		return st, "", err
	}
	parent := r.dir
	if parentRel != "." {
		f, err := openInRoot(r.dir, parentRel)
		if err != nil {
			return st, "", fmt.Errorf("opening %q in rootfs: %w", filepath.Dir(dest), err)
		}
		defer f.Close()
		parent = f
	}
	name := filepath.Base(dest)
	if err := unix.Fstatat(int(parent.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return st, "", &os.PathError{Op: "lstat", Path: dest, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		return st, "", nil
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(int(parent.Fd()), name, buf)
	if err != nil {
		return st, "", &os.PathError{Op: "readlink", Path: dest, Err: err}
	}
	return st, string(buf[:n]), nil
}
