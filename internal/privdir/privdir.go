// Package privdir makes and repairs the directories that lie above
// containers' root file systems, image layers and the runtime's state:
// only root may search them.
//
// Why it matters (the CVE-2021-41091 class): a container's root file
// system is mounted under the data root without nosuid, since the
// container's own setuid binaries must work inside it. A mount point's
// mode is the mode of the mounted tree's root (usually 0755), so the only
// thing that keeps a host user from running
// <root>/containers/<id>/rootfs/usr/bin/<setuid file> as root, or from
// reading a layer's files, is a directory above it that the user cannot
// search. Every directory between the data root and such content is
// therefore 0700, or 0710 when a group must pass through (a container in
// a private user namespace, whose root is an unprivileged host id,
// resolves its root file system through them; see AllowGroupSearch).
package privdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/logctx"
)

const (
	// Mode is the mode of a private directory: root alone may list or
	// search it.
	Mode fs.FileMode = 0o700
	// GroupMode lets the directory's group search it (reach a known name
	// below), never list it.
	GroupMode fs.FileMode = 0o710

	// open are the permission bits a private directory must not have:
	// reading or writing by its group, anything by others. Search by the
	// group stays when the group is not root's (AllowGroupSearch gave it
	// deliberately); for root's group it is taken too, which is Mode.
	open = 0o067
)

// Mkdir creates the directory path with Mode, as os.Mkdir does (an
// existing path is an error wrapping fs.ErrExist).
func Mkdir(path string) error {
	return os.Mkdir(path, Mode)
}

// MkdirAll creates path and its missing parents with Mode. When path
// already exists with more open permissions (made by an older version),
// they are taken away, as Tighten does.
func MkdirAll(path string) error {
	if err := os.MkdirAll(path, Mode); err != nil {
		return err
	}
	_, _, err := tighten(path)
	return err
}

// Tighten takes the permissions a private directory must not have away
// from each of paths that has them: everything for others, reading and
// writing for the group, and search too when the group is root's (so
// 0711 and 0755 become 0700; a group's 0710 from AllowGroupSearch stays),
// and logs
// each change with the logger in ctx. Paths that do not exist, and paths
// that are not directories (a symlink is not followed), are skipped.
func Tighten(ctx context.Context, paths ...string) error {
	var errs []error
	for _, p := range paths {
		from, to, err := tighten(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if from != to {
			logctx.From(ctx).Warn("directory was open to other users; made it private",
				"path", p, "mode", fmt.Sprintf("%04o", from), "now", fmt.Sprintf("%04o", to))
		}
	}
	return errors.Join(errs...)
}

// tighten clears the open bits of the directory path and returns its
// permission bits before and after (equal when nothing changed).
func tighten(path string) (from, to uint32, err error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return 0, 0, nil
		}
		return 0, 0, &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return 0, 0, nil
	}
	// 07777: the setgid and sticky bits are kept as they are.
	from = st.Mode & 0o7777
	to = from &^ open
	if st.Gid == 0 {
		to &^= 0o010
	}
	if to == from {
		return from, to, nil
	}
	if err := unix.Fchmodat(unix.AT_FDCWD, path, to, 0); err != nil {
		return 0, 0, fmt.Errorf("making %s private (chmod %04o): %w", path, to, err)
	}
	return from, to, nil
}

// Below returns the directories under dir, down to depth levels (1: its
// entries), parents before children. Symlinks are not followed; a dir that
// does not exist has none.
func Below(dir string, depth int) ([]string, error) {
	if depth < 1 {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() { // DirEntry.IsDir does not follow symlinks
			continue
		}
		p := filepath.Join(dir, e.Name())
		out = append(out, p)
		sub, err := Below(p, depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// AllowGroupSearch gives the directory path the group gid and GroupMode,
// so that processes whose group is gid (and nobody else but root) can
// reach the names below it.
func AllowGroupSearch(path string, gid int) error {
	if err := os.Lchown(path, -1, gid); err != nil {
		return fmt.Errorf("letting group %d search %s: %w", gid, path, err)
	}
	if err := os.Chmod(path, GroupMode); err != nil {
		return fmt.Errorf("letting group %d search %s: %w", gid, path, err)
	}
	return nil
}
