package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CopyUp copies what the root file system root holds at path into the
// volume's content directory mountpoint when that directory is empty, as
// Docker fills a new volume from the image; it reports whether it copied.
// Nothing is copied when path does not exist in root or is not a
// directory.
//
// Both trees may be hostile: root is an image's (and a container's
// earlier writes), and the volume may be mounted by a running container
// while this copies. So path is resolved inside root
// (openat2 RESOLVE_IN_ROOT: an image's symlink such as /data -> /etc
// means the root's /etc, never the host's), and the walk goes from
// descriptor to descriptor with O_NOFOLLOW: a symbolic link is copied as
// a link and never followed, a name created meanwhile in the volume makes
// the copy fail (O_EXCL) rather than write through it. Device nodes and
// sockets are not copied.
func CopyUp(root, path, mountpoint string) (bool, error) {
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, fmt.Errorf("copying into the volume: opening %s: %w", root, err)
	}
	defer unix.Close(rootFd)
	src, err := unix.Openat2(rootFd, path, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("copying %s into the volume: %w", path, err)
	}
	defer unix.Close(src)
	dst, err := unix.Open(mountpoint, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, fmt.Errorf("copying %s into the volume: opening %s: %w", path, mountpoint, err)
	}
	defer unix.Close(dst)
	names, err := readNames(dst)
	if err != nil {
		return false, fmt.Errorf("copying %s into the volume: %w", path, err)
	}
	if len(names) > 0 {
		return false, nil
	}
	if err := copyDir(src, dst); err != nil {
		return false, fmt.Errorf("copying %s into the volume: %w", path, err)
	}
	// The volume's root takes the directory's owner and mode, as Docker's
	// copy does (a VOLUME /var/lib/app owned by the app's user).
	var st unix.Stat_t
	if err := unix.Fstat(src, &st); err != nil {
		return true, fmt.Errorf("copying %s into the volume: %w", path, err)
	}
	if err := unix.Fchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return true, fmt.Errorf("copying %s into the volume: chown: %w", path, err)
	}
	if err := unix.Fchmod(dst, st.Mode&07777); err != nil {
		return true, fmt.Errorf("copying %s into the volume: chmod: %w", path, err)
	}
	return true, nil
}

// readNames lists the directory fd (without moving fd's own offset:
// it reads through a duplicate).
func readNames(fd int) ([]string, error) {
	dup, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), "dir")
	defer f.Close()
	return f.Readdirnames(-1)
}

// copyDir copies the entries of the directory src into the directory
// dst, recursively.
func copyDir(src, dst int) error {
	names, err := readNames(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := copyEntry(src, dst, name); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies src/name to dst/name without following a link at
// either end.
func copyEntry(src, dst int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(src, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	mode := st.Mode & 07777
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(dst, name, 0o700); err != nil {
			return fmt.Errorf("mkdir %s: %w", name, err)
		}
		s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer unix.Close(s)
		d, err := unix.Openat(dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer unix.Close(d)
		if err := copyDir(s, d); err != nil {
			return fmt.Errorf("%s/%w", name, err)
		}
		return owner(d, st, mode)
	case unix.S_IFREG:
		s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		sf := os.NewFile(uintptr(s), name)
		defer sf.Close()
		d, err := unix.Openat(dst, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		df := os.NewFile(uintptr(d), name)
		defer df.Close()
		if _, err := io.Copy(df, sf); err != nil {
			return fmt.Errorf("copy %s: %w", name, err)
		}
		return owner(d, st, mode)
	case unix.S_IFLNK:
		target, err := readlinkat(src, name)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, dst, name); err != nil {
			return fmt.Errorf("symlink %s: %w", name, err)
		}
		if err := unix.Fchownat(dst, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown %s: %w", name, err)
		}
		if err := unix.UtimesNanoAt(dst, name, times(st), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("times of %s: %w", name, err)
		}
		return nil
	case unix.S_IFIFO:
		if err := unix.Mkfifoat(dst, name, 0o600); err != nil {
			return fmt.Errorf("mkfifo %s: %w", name, err)
		}
		if err := unix.Fchownat(dst, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown %s: %w", name, err)
		}
		// fchmodat has no NOFOLLOW on Linux; the name was made just now
		// by mknod, and a swap would need the volume's writer to win a
		// rename race onto a fifo it cannot choose: refuse links anyway.
		return fchmodatNoFollow(dst, name, mode)
	}
	return nil // devices and sockets: not copied
}

// owner gives the open file fd the owner, mode and times of st (the mode
// after chown, which clears set-id bits; the times last, once the
// content is written).
func owner(fd int, st unix.Stat_t, mode uint32) error {
	if err := unix.Fchown(fd, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if err := unix.Fchmod(fd, mode); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	// utimensat on the descriptor itself (a NULL path): the file we
	// wrote, whatever its name now points to.
	if err := unix.UtimesNanoAt(fd, "", times(st), unix.AT_EMPTY_PATH); err != nil {
		return fmt.Errorf("times: %w", err)
	}
	return nil
}

// times are st's access and modification times.
func times(st unix.Stat_t) []unix.Timespec {
	return []unix.Timespec{st.Atim, st.Mtim}
}

// fchmodatNoFollow changes the mode of dir/name through an O_PATH
// descriptor opened without following a link, via /proc/self/fd.
func fchmodatNoFollow(dir int, name string, mode uint32) error {
	fd, err := unix.Openat(dir, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return fmt.Errorf("chmod %s: no longer the fifo made", name)
	}
	if err := unix.Chmod(filepath.Join("/proc/self/fd", fmt.Sprint(fd)), mode); err != nil {
		return fmt.Errorf("chmod %s: %w", name, err)
	}
	return nil
}

// readlinkat reads the link dir/name.
func readlinkat(dir int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dir, name, buf)
		if err != nil {
			return "", fmt.Errorf("readlink %s: %w", name, err)
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
