package snapshot

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/mounttree"
)

// A container with a private user namespace sees the image's files, which
// host root owns, as owned by nobody: its root could not write /etc or
// even copy a file up into its writable layer. Its overlay is therefore
// stacked on idmapped mounts of the layers (Linux ≥ 5.19 accepts them as
// overlay lower layers): through them host uid 0 reads as the host id of
// the container's root, so the container sees its files owned by its own
// root. Files the container writes into its upper directory carry its
// host ids, as in any user namespace.

// IDMapping maps the ids 0 to Size-1 of a user namespace to the host ids
// HostID to HostID+Size-1, for users and groups alike.
type IDMapping struct {
	HostID, Size uint32
}

// MountIdmapped binds each of lowers, idmapped through m, at dir/<n> and
// returns the new paths in the same order, for Mount to stack. A file
// owned by host id i reads through them as owned by m.HostID+i. If a
// mount fails, those already made are unmounted. UnmountIdmapped undoes
// it.
func MountIdmapped(ctx context.Context, dir string, lowers []string, m IDMapping) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.Size == 0 {
		return nil, fmt.Errorf("idmapping layers under %s: %w: an empty id mapping", dir, errdefs.ErrInvalidArgument)
	}
	userns, err := usernsFile(m)
	if err != nil {
		return nil, err
	}
	defer userns.Close()
	out := make([]string, 0, len(lowers))
	for i, l := range lowers {
		target := filepath.Join(dir, strconv.Itoa(i))
		if err := os.MkdirAll(target, 0o755); err != nil {
			mounttree.Unmount(dir)
			return nil, fmt.Errorf("creating idmapped layer mount point: %w", err)
		}
		if err := idmapMount(l, target, int(userns.Fd())); err != nil {
			mounttree.Unmount(dir)
			return nil, err
		}
		out = append(out, target)
	}
	return out, nil
}

// UnmountIdmapped unmounts every mount MountIdmapped made under dir (also
// those of a run that died with the daemon). It is idempotent; the mount
// points stay.
func UnmountIdmapped(dir string) error {
	if err := mounttree.Unmount(dir); err != nil {
		return fmt.Errorf("unmounting the idmapped layers under %s: %w", dir, err)
	}
	return nil
}

// idmapMount binds src at target with the id mapping of the user
// namespace usernsFD: open_tree clones the mount detached, mount_setattr
// gives it the mapping (only a detached mount can get one), move_mount
// attaches it.
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

// usernsFile returns a handle on a new user namespace with mapping m. A
// user namespace needs a process to be made; a Go program cannot unshare
// one (it is multithreaded), so a child is started in it under ptrace: it
// stops at its first instruction after execve, never runs, and is killed
// once its namespace is held open.
//
// Preconditions: none; the OS thread is locked here because a ptrace
// tracee can only be waited for by its tracer thread.
func usernsFile(m IDMapping) (*os.File, error) {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	// Our own binary: it is there, and it never runs (see above).
	const exe = "/proc/self/exe"
	ids := []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(m.HostID), Size: int(m.Size)}}
	cmd := exec.Command(exe)
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: ids, GidMappings: ids,
		Ptrace:    true,
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("making a user namespace for idmapped layers: %w", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	f, err := os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/user")
	if err != nil {
		return nil, fmt.Errorf("opening the user namespace for idmapped layers: %w", err)
	}
	return f, nil
}
