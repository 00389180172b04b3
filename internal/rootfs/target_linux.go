package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// root is the container's root filesystem seen from the host, before
// pivot_root. Every path of the spec (mount destinations, devices) is
// resolved inside it, never by the host's rules: a symlink /proc -> /etc in
// the image means rootfs/etc, not the host's /etc.
type root struct {
	// path is the rootfs's host path with symlinks resolved, the prefix
	// every resolved target must have.
	path string
	// dir is an O_PATH handle on the rootfs, opened after rootfs was bound
	// onto itself, so walks from it go through that bind mount (the one
	// pivot_root will use) and the mounts stacked on it.
	dir *os.File
}

// openRoot opens the rootfs at path.
func openRoot(path string) (*root, error) {
	dir, err := os.OpenFile(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening rootfs: %w", err)
	}
	real, err := fdPath(dir)
	if err != nil {
		dir.Close()
		return nil, err
	}
	return &root{path: real, dir: dir}, nil
}

// Close releases the handle on the rootfs.
func (r *root) Close() error { return r.dir.Close() }

// procFd is the magic link naming f in /proc. mount(2) given this path
// acts on the very file f is open on, whatever happened to the path f was
// opened by: this is how a mount cannot be redirected between the check
// and the call.
func procFd(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// fdPath returns the host path of an open file.
func fdPath(f *os.File) (string, error) {
	p, err := os.Readlink(procFd(f))
	if err != nil {
		return "", fmt.Errorf("reading the path of %q: %w", f.Name(), err)
	}
	return p, nil
}

// cleanPath makes a spec path absolute and clean ("dev/../proc" is
// "/proc"). Relative paths are taken from "/", as runc does.
func cleanPath(p string) string { return filepath.Join("/", p) }

// resolve resolves the container path dest inside the root, following
// symlinks as if the root were "/", and returns it relative to the root
// ("." for the root itself). Dangling symlinks are resolved too, so a
// symlink /dev -> ../../outside names rootfs/outside.
func (r *root) resolve(dest string) (string, error) {
	p, err := securejoin.SecureJoin(r.path, dest)
	if err != nil {
		return "", fmt.Errorf("resolving %q in rootfs %q: %w", dest, r.path, err)
	}
	rel, err := filepath.Rel(r.path, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%q resolves to %q outside rootfs %q: %w", dest, p, r.path, errdefs.ErrInvalidArgument)
	}
	return rel, nil
}

// check returns the host path f is open on, and an error if that is not
// inside the root: the last line of defence against a target that moved
// out of the rootfs after it was resolved.
func (r *root) check(f *os.File, dest string) (string, error) {
	p, err := fdPath(f)
	if err != nil {
		return "", err
	}
	if p != r.path && !strings.HasPrefix(p, r.path+"/") {
		return "", fmt.Errorf("%q is at %q, outside rootfs %q: %w", dest, p, r.path, errdefs.ErrInvalidArgument)
	}
	return p, nil
}

// checked runs check on f and closes f when it fails.
func (r *root) checked(f *os.File, dest string) (*os.File, string, error) {
	p, err := r.check(f, dest)
	if err != nil {
		f.Close()
		return nil, "", err
	}
	return f, p, nil
}

// open returns an O_PATH handle on the existing dest and its host path.
// Opened after a mount, the handle is on the new mount's root, not the
// directory under it.
func (r *root) open(dest string) (*os.File, string, error) {
	rel, err := r.resolve(dest)
	if err != nil {
		return nil, "", err
	}
	f, err := openInRoot(r.dir, rel)
	if err != nil {
		return nil, "", fmt.Errorf("opening %q in rootfs: %w", dest, err)
	}
	return r.checked(f, dest)
}

// mkdirAll creates the directory dest and its parents (mode 0755) inside
// the root if needed and returns an O_PATH handle on it and its host path.
func (r *root) mkdirAll(dest string) (*os.File, string, error) {
	rel, err := r.resolve(dest)
	if err != nil {
		return nil, "", err
	}
	f, err := mkdirAllInRoot(r.dir, rel, 0o755)
	if err != nil {
		return nil, "", fmt.Errorf("creating directory %q in rootfs: %w", dest, err)
	}
	return r.checked(f, dest)
}

// parentOf creates the parent directory of dest and returns an O_PATH
// handle on it with the base name to create in it.
func (r *root) parentOf(dest string) (*os.File, string, error) {
	rel, err := r.resolve(dest)
	if err != nil {
		return nil, "", err
	}
	if rel == "." {
		return nil, "", fmt.Errorf("%q is the rootfs itself: %w", dest, errdefs.ErrInvalidArgument)
	}
	parent, err := mkdirAllInRoot(r.dir, filepath.Dir(rel), 0o755)
	if err != nil {
		return nil, "", fmt.Errorf("creating parent directory of %q in rootfs: %w", dest, err)
	}
	parent, _, err = r.checked(parent, filepath.Dir(dest))
	if err != nil {
		return nil, "", err
	}
	return parent, filepath.Base(rel), nil
}

// createFile makes sure dest exists (an empty regular file is created when
// it does not, with its parents) and returns an O_PATH handle on it: the
// target of a bind mount of a file.
func (r *root) createFile(dest string) (*os.File, string, error) {
	f, p, err := r.open(dest)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return f, p, err
	}
	parent, name, err := r.parentOf(dest)
	if err != nil {
		return nil, "", err
	}
	defer parent.Close()
	// O_NOFOLLOW|O_EXCL: never create through a symlink planted since
	// resolve; EEXIST means someone else created it, and open re-checks it.
	fd, err := unix.Openat(int(parent.Fd()), name, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0o644)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, "", fmt.Errorf("creating file %q in rootfs: %w", dest, err)
	}
	if err == nil {
		unix.Close(fd)
	}
	return r.open(dest)
}
