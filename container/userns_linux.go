package container

import (
	"context"
	"fmt"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/privdir"
)

// A container with a private user namespace sees the image's files, which
// host root owns, as owned by nobody: its root could not write /etc or
// even copy a file up into its writable layer. The overlay is therefore
// stacked on idmapped mounts of the layers (Linux ≥ 5.19 accepts them as
// overlay lower layers): through them host uid 0 reads as 100000, the
// host id of the container's root, so the container sees its files owned
// by its own root. The upper and work directories belong to 100000 (see
// Create); files the container writes carry its host ids, as in any user
// namespace.

// ensureTraversable lets the container's root (an unprivileged host id)
// reach its root file system and /etc files in dir, the container's
// directory under root: the init resolves them from inside the user
// namespace. The directories from root down to dir get the group
// usernsHostID and mode 0710 (search, not listing), never o+x: other host
// users must not reach a container's setuid files (privdir). The
// ancestors of root must be searchable by others, as /var/lib is.
func ensureTraversable(root, dir string) error {
	root, dir = filepath.Clean(root), filepath.Clean(dir)
	rel, err := filepath.Rel(root, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return fmt.Errorf("user namespace: %s is not under %s", dir, root)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if err := privdir.AllowGroupSearch(d, usernsHostID); err != nil {
			return fmt.Errorf("user namespace: letting the container's root reach %s: %w", dir, err)
		}
		if d == root {
			break
		}
	}
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("user namespace: the container's root cannot reach %s: %s must be searchable by others (chmod o+x): %w", root, d, errdefs.ErrConflict)
		}
		if d == "/" {
			return nil
		}
	}
}

// idmapLowers binds each lower directory, idmapped 0 → usernsHostID, under
// dir/lower/<n> and returns the new paths, in the same order.
func idmapLowers(ctx context.Context, dir string, lowers []string) ([]string, error) {
	userns, err := usernsFile()
	if err != nil {
		return nil, err
	}
	defer userns.Close()
	out := make([]string, 0, len(lowers))
	for i, l := range lowers {
		target := filepath.Join(dir, "lower", strconv.Itoa(i))
		if err := os.MkdirAll(target, 0o755); err != nil {
			return nil, fmt.Errorf("creating idmapped layer mount point: %w", err)
		}
		if err := idmapMount(l, target, int(userns.Fd())); err != nil {
			mounttree.Unmount(filepath.Join(dir, "lower"))
			return nil, err
		}
		out = append(out, target)
	}
	return out, nil
}

// idmapMount binds src at target with the id mapping of the user
// namespace usernsFD.
func idmapMount(src, target string, usernsFD int) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open_tree %s: %w", src, err)
	}
	defer unix.Close(fd)
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(usernsFD)}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		return fmt.Errorf("idmapping the mount of %s (mount_setattr MOUNT_ATTR_IDMAP): %w", src, err)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount of idmapped %s to %s: %w", src, target, err)
	}
	return nil
}

// usernsFile returns a handle on a new user namespace with the private
// mapping. A user namespace needs a process to be made; a Go program
// cannot unshare one (it is multithreaded), so a child is started in it
// under ptrace: it stops at its first instruction after execve, never
// runs, and is killed once its namespace is held open.
//
// Preconditions: none; the OS thread is locked here because a ptrace
// tracee can only be waited for by its tracer thread.
func usernsFile() (*os.File, error) {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	// Our own binary: it is there, and it never runs (see above).
	const exe = "/proc/self/exe"
	m := []syscall.SysProcIDMap{{ContainerID: 0, HostID: usernsHostID, Size: usernsSize}}
	cmd := exec.Command(exe)
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: m, GidMappings: m,
		Ptrace:    true,
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("making a user namespace for the idmapped root file system: %w", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	f, err := os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/user")
	if err != nil {
		return nil, fmt.Errorf("opening the user namespace for the idmapped root file system: %w", err)
	}
	return f, nil
}
