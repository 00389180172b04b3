package rootread

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// resolveFlags make the lookup behave as if root were "/": ".." stops at
// it, absolute symlinks start from it, and neither /proc magic links nor
// other mounts (the host's, seen through a bind) are crossed.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

// ErrNotRegular tags a name that exists inside the root but is not a
// regular file (a FIFO, a socket, a device or a directory).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge tags a file that is larger than the caller's limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the regular file name (a path inside root, absolute or
// not) from the directory tree at root, following symlinks only inside
// it. It reads at most limit bytes: a larger file is an error wrapping
// ErrTooLarge, and so is anything but a regular file (ErrNotRegular);
// both also wrap errdefs.ErrInvalidArgument, since the content of the
// root is at fault. A missing file is an error wrapping fs.ErrNotExist.
func ReadFile(root, name string, limit int64) ([]byte, error) {
	f, size, err := Open(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > limit {
		return nil, tooLarge(name, limit)
	}
	// The size may change under us (the root can be a running
	// container's): read one byte more than allowed to notice.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", display(name), err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(name, limit)
	}
	return b, nil
}

// Open opens the regular file name inside root for reading, as ReadFile
// does, and returns it with its size at the time of opening. The file is
// non-blocking; reads of a regular file never block anyway.
func Open(root, name string) (*os.File, int64, error) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("opening the root %s to read %s: %w", root, display(name), &os.PathError{Op: "open", Path: root, Err: err})
	}
	defer unix.Close(rfd)
	rel := path.Clean("/" + name)[1:]
	if rel == "" {
		rel = "."
	}
	// An O_PATH handle opens nothing: no FIFO waits for a writer, no
	// device driver runs. Its type decides whether we open for real.
	pfd, err := openat2(rfd, rel, unix.O_PATH)
	if err != nil {
		return nil, 0, fmt.Errorf("opening %s: %w", display(name), err)
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return nil, 0, fmt.Errorf("inspecting %s: %w", display(name), err)
	}
	if err := checkRegular(name, st.Mode); err != nil {
		return nil, 0, err
	}
	// Reopening the handle through /proc opens exactly the inode just
	// checked, whatever happens to the name meanwhile.
	fd, err := unix.Open("/proc/thread-self/fd/"+strconv.Itoa(pfd), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("opening %s for reading: %w", display(name), err)
	}
	var st2 unix.Stat_t
	if err := unix.Fstat(fd, &st2); err != nil {
		unix.Close(fd)
		return nil, 0, fmt.Errorf("inspecting %s: %w", display(name), err)
	}
	if st2.Dev != st.Dev || st2.Ino != st.Ino {
		unix.Close(fd)
		return nil, 0, fmt.Errorf("%s changed while it was opened: %w", display(name), errdefs.ErrConflict)
	}
	if err := checkRegular(name, st2.Mode); err != nil {
		unix.Close(fd)
		return nil, 0, err
	}
	return os.NewFile(uintptr(fd), display(name)), st2.Size, nil
}

// openat2 opens rel under the directory rfd with resolveFlags, retrying
// the EAGAIN that RESOLVE_IN_ROOT returns when a rename elsewhere raced
// with the lookup.
func openat2(rfd int, rel string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolveFlags}
	for range 64 {
		fd, err := unix.Openat2(rfd, rel, &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		switch err {
		case nil:
			return fd, nil
		case unix.ELOOP, unix.ENOTDIR, unix.EXDEV, unix.ENAMETOOLONG:
			// The root's content is at fault: a symlink loop, a file
			// where a directory should be, a link onto another mount.
			return -1, fmt.Errorf("%w: %w", &os.PathError{Op: "openat2", Path: rel, Err: err}, errdefs.ErrInvalidArgument)
		}
		// Wrapping the errno keeps errors.Is(err, fs.ErrNotExist).
		return -1, &os.PathError{Op: "openat2", Path: rel, Err: err}
	}
	return -1, &os.PathError{Op: "openat2", Path: rel, Err: unix.EAGAIN}
}

// checkRegular refuses every file type but a regular file, naming it.
func checkRegular(name string, mode uint32) error {
	if mode&unix.S_IFMT == unix.S_IFREG {
		return nil
	}
	return fmt.Errorf("%s is %s, %w: %w", display(name), typeName(mode), ErrNotRegular, errdefs.ErrInvalidArgument)
}

func typeName(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFLNK:
		return "a symlink"
	}
	return "of an unknown type"
}

func tooLarge(name string, limit int64) error {
	return fmt.Errorf("%s is larger than %d bytes, %w: %w", display(name), limit, ErrTooLarge, errdefs.ErrInvalidArgument)
}

// display is name as the container sees it ("/etc/passwd").
func display(name string) string {
	return path.Clean("/" + name)
}
