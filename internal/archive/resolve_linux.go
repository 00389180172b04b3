package archive

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// resolveFlags make every lookup behave as if the extraction directory were
// the root of the filesystem: ".." stops at it, absolute symlinks are
// resolved from it, and neither /proc magic links nor mount points are
// crossed. Together with creating the final component relative to the
// resolved parent (and never following it), nothing outside the directory
// can be reached.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

// cleanName turns a tar entry name into a path relative to the extraction
// root: absolute names become relative and ".." cannot climb above the root.
// The root itself is ".".
func cleanName(name string) string {
	c := strings.TrimPrefix(path.Clean("/"+name), "/")
	if c == "" {
		return "."
	}
	return c
}

// openInRoot opens rel (already cleaned) under the directory root, following
// symlinks only inside it.
func openInRoot(root int, rel string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolveFlags}
	for range 64 {
		fd, err := unix.Openat2(root, rel, &how)
		// RESOLVE_IN_ROOT returns EAGAIN when a rename elsewhere in the
		// system raced with the lookup; the lookup is simply retried.
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "openat2", Path: rel, Err: err}
		}
		return fd, nil
	}
	return -1, &os.PathError{Op: "openat2", Path: rel, Err: unix.EAGAIN}
}

// mkdirAllInRoot returns an open directory fd for rel under root, creating
// missing directories (mode 0755, owned by the caller) on the way. An
// existing component that is a symlink is followed inside the root only if
// it already resolves to a directory; a dangling one is an error.
func mkdirAllInRoot(root int, rel string) (int, error) {
	fd, err := openInRoot(root, rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOTDIR) {
		return -1, fmt.Errorf("%w: a component of %s is not a directory: %w", errdefs.ErrInvalidArgument, rel, err)
	}
	if err == nil || !errors.Is(err, unix.ENOENT) || rel == "." {
		return fd, err
	}
	pfd, err := mkdirAllInRoot(root, path.Dir(rel))
	if err != nil {
		return -1, err
	}
	defer unix.Close(pfd)
	base := path.Base(rel)
	if err := unix.Mkdirat(pfd, base, 0o755); err != nil && err != unix.EEXIST {
		return -1, &os.PathError{Op: "mkdirat", Path: rel, Err: err}
	}
	// The component is a directory we just made or found; if it is a
	// symlink instead (a dangling one, since the first lookup failed),
	// RESOLVE_NO_SYMLINKS refuses it rather than creating its target.
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV,
	}
	fd, err = unix.Openat2(pfd, base, &how)
	switch err {
	case nil:
		return fd, nil
	case unix.ELOOP:
		return -1, fmt.Errorf("%w: %s is a symlink that leads nowhere inside the root: %w",
			errdefs.ErrInvalidArgument, rel, &os.PathError{Op: "openat2", Path: rel, Err: err})
	case unix.ENOTDIR:
		return -1, fmt.Errorf("%w: %s is not a directory: %w",
			errdefs.ErrInvalidArgument, rel, &os.PathError{Op: "openat2", Path: rel, Err: err})
	}
	return -1, &os.PathError{Op: "openat2", Path: rel, Err: err}
}

// removeAt removes name from the directory dirfd, recursively if it is a
// directory, never following symlinks. A missing name is not an error.
func removeAt(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	switch err {
	case nil, unix.ENOENT:
		return nil
	case unix.EISDIR:
	default:
		return &os.PathError{Op: "unlinkat", Path: name, Err: err}
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "openat", Path: name, Err: err}
	}
	d := os.NewFile(uintptr(fd), name)
	names, err := d.Readdirnames(-1)
	if err != nil {
		d.Close()
		return fmt.Errorf("listing %s: %w", name, err)
	}
	for _, n := range names {
		if err := removeAt(fd, n); err != nil {
			d.Close()
			return fmt.Errorf("removing %s: %w", name, err)
		}
	}
	d.Close()
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return &os.PathError{Op: "rmdir", Path: name, Err: err}
	}
	return nil
}

// procPath names the entry base of the open directory dirfd through
// /proc/self/fd, for the calls (lsetxattr) that have no *at form. The final
// component is not followed by the l* calls it is used with.
func procPath(dirfd int, base string) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", dirfd, base)
}
