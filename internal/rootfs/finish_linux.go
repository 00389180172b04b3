package rootfs

import (
	"errors"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Finish completes the root filesystem after pivot_root, in this order:
// spec.Linux.ReadonlyPaths are made read-only, spec.Linux.MaskedPaths are
// hidden, "/" is remounted read-only when spec.Root.Readonly (mounts on it,
// such as the tmpfs /dev, stay writable), and "/" gets
// spec.Linux.RootfsPropagation, which only now cannot leak to the host.
// Paths that do not exist are skipped.
func Finish(spec *specs.Spec) error {
	if spec == nil {
		return nil
	}
	if spec.Linux != nil {
		for _, p := range spec.Linux.ReadonlyPaths {
			if err := readonlyPath(cleanPath(p)); err != nil {
				return fmt.Errorf("making %q read-only: %w", p, err)
			}
		}
		for _, p := range spec.Linux.MaskedPaths {
			if err := maskPath(cleanPath(p)); err != nil {
				return fmt.Errorf("masking %q: %w", p, err)
			}
		}
	}
	if spec.Root != nil && spec.Root.Readonly {
		if err := remountBind("/", "/", unix.MS_RDONLY|currentFlags("/")); err != nil {
			return fmt.Errorf("making the root read-only: %w", err)
		}
	}
	if spec.Linux != nil && spec.Linux.RootfsPropagation != "" {
		prop, err := parsePropagation(spec.Linux.RootfsPropagation)
		if err != nil {
			return err
		}
		if err := mount("propagation", "", "/", "/", "", prop, ""); err != nil {
			return fmt.Errorf("setting root propagation: %w", err)
		}
	}
	return nil
}

// currentFlags returns the nosuid, nodev, noexec and atime flags of the
// mount at path, which a bind remount must repeat to keep them.
func currentFlags(path string) uintptr {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0
	}
	return lockedFlags(st.Flags)
}

// readonlyPath binds path onto itself and remounts it read-only, nosuid,
// nodev and noexec.
func readonlyPath(path string) error {
	err := mount("bind", path, path, path, "", unix.MS_BIND|unix.MS_REC, "")
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	return remountBind(path, path, unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|currentFlags(path))
}

// maskPath hides path: /dev/null is bound over a file, an empty read-only
// tmpfs is mounted over a directory.
func maskPath(path string) error {
	err := mount("bind", "/dev/null", path, path, "", unix.MS_BIND, "")
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT):
		// Either path is missing (nothing to hide) or /dev/null is (the
		// path would stay visible: that is an error).
		if _, serr := os.Lstat(path); serr != nil {
			return nil
		}
		return err
	case errors.Is(err, unix.ENOTDIR):
		// A file cannot be bound over a directory.
		return mount("mount", "tmpfs", path, path, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	}
	return err
}
