package rootfs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// A container whose spec lists no mount namespace shares the runtime's
// (runtime-spec config-linux.md: a namespace type that is not listed is
// inherited). Its mounts are then made in that namespace, under the
// rootfs, and would outlive the container: runc leaves them on the host.
// Here every one of them hangs below a single mount, the HostRoot that the
// runtime binds before the init process starts, so that one detach of it
// at delete (or after a failed create) removes them all, those the
// container's own processes made included.
//
//	runtime (host)          BindHostRoot: rootfs bound onto itself, rprivate
//	init (host mount ns)    PrepareInHostNamespace: spec.Mounts inside
//	                        rootfs, /dev
//	                        Chroot: chroot(2) into rootfs (no pivot_root:
//	                        it needs a mount namespace of our own)
//	                        Finish: read-only and masked paths, resolved
//	                        inside the chroot (the container's /proc)
//	runtime (host)          UnmountHostRoot at delete or failed create

// HostRoot is the mount under which everything of a container without a
// mount namespace of its own is mounted, as recorded in its state.
type HostRoot struct {
	// Path is the mount point: the rootfs with symlinks resolved.
	Path string `json:"path"`
	// ID is the mount's ID (/proc/self/mountinfo field 1, statx
	// stx_mnt_id), which tells our mount from any other at Path.
	ID uint64 `json:"id"`
	// Namespace is the mount namespace the mount was made in
	// ("mnt:[inode]"): only from there can it be found and removed.
	Namespace string `json:"namespace"`
}

// BindHostRoot binds rootfs onto itself in the caller's mount namespace
// and makes the new mount and everything under it private, so that no
// mount made under it later propagates to the host's other mounts, nor
// any host mount into it. It returns the mount to give to
// UnmountHostRoot. The bind itself still propagates to the peers of the
// mount holding rootfs if that one is shared; its removal does too.
func BindHostRoot(rootfs string) (HostRoot, error) {
	real, err := filepath.EvalSymlinks(rootfs)
	if err != nil {
		return HostRoot{}, fmt.Errorf("resolving rootfs %q: %w", rootfs, err)
	}
	if err := mount("bind", real, real, real, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return HostRoot{}, err
	}
	h := HostRoot{Path: real}
	if h.Namespace, err = os.Readlink("/proc/self/ns/mnt"); err != nil {
		unix.Unmount(real, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		return HostRoot{}, fmt.Errorf("reading our mount namespace: %w", err)
	}
	if h.ID, err = mountID(real); err != nil {
		unix.Unmount(real, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		return HostRoot{}, err
	}
	if err := mount("propagation", "", real, real, "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		unix.Unmount(real, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		return HostRoot{}, err
	}
	return h, nil
}

// UnmountHostRoot removes h and every mount under it or stacked on it.
// A mount of h's subtree that covers Path is detached first; MNT_DETACH
// then takes each whole subtree out of the namespace at once (a mount
// still held by an open descriptor goes away with the last one). It is a
// no-op when h is no longer mounted, so it may be repeated.
func UnmountHostRoot(h HostRoot) error {
	// From another mount namespace the mount would look gone: say so
	// rather than leave it behind unnoticed.
	ns, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		return fmt.Errorf("reading our mount namespace: %w", err)
	}
	if h.Namespace != "" && ns != h.Namespace {
		return fmt.Errorf("the mounts under %s are in mount namespace %s, not in ours (%s): remove the container from there", h.Path, h.Namespace, ns)
	}
	for range 64 {
		mounts, err := mountinfo.GetMounts(nil)
		if err != nil {
			return fmt.Errorf("reading the mount table: %w", err)
		}
		if !isMounted(mounts, h) {
			return nil
		}
		top, err := mountID(h.Path)
		if err != nil {
			return err
		}
		if !inSubtree(mounts, top, h.ID) {
			return fmt.Errorf("unmounting %s: it is covered by mount %d, which is not the container's", h.Path, top)
		}
		if err := unix.Unmount(h.Path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil {
			return fmt.Errorf("unmounting %s (mount %d): %w", h.Path, top, err)
		}
	}
	return fmt.Errorf("unmounting %s: mount %d is still there after 64 detaches", h.Path, h.ID)
}

// Chroot makes rootfs the root directory of the calling process with
// chroot(2), for a container without a mount namespace of its own, where
// pivot_root(2) cannot be used: it would move the root of every process
// of the host's namespace. chroot is weaker than pivot_root: the host's
// tree stays mounted above the new root, and a process with
// CAP_SYS_CHROOT can leave a plain chroot (chroot into a subdirectory
// while its working directory stays above it, then walk up with ".."), as
// under runc and crun. No descriptor on a host directory stays open.
//
// Go's threads share one fs_struct (CLONE_FS), so all of them follow.
func Chroot(rootfs string) error {
	fd, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("chroot: opening %q: %w", rootfs, err)
	}
	err = unix.Fchdir(fd)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("chroot: fchdir to %q: %w", rootfs, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot(%q): %w", rootfs, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chroot: chdir to the new root: %w", err)
	}
	return nil
}

// mountID returns the ID of the mount on top at path.
func mountID(path string) (uint64, error) {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &stx); err != nil {
		return 0, fmt.Errorf("statx %s: %w", path, err)
	}
	if stx.Mask&unix.STATX_MNT_ID == 0 {
		return 0, fmt.Errorf("statx %s: the kernel gives no mount ID: %w", path, unix.ENOSYS)
	}
	return stx.Mnt_id, nil
}

// isMounted reports whether h is in mounts: same ID at the same place
// (an ID is reused only once its mount is gone).
func isMounted(mounts []*mountinfo.Info, h HostRoot) bool {
	for _, m := range mounts {
		if uint64(m.ID) == h.ID && m.Mountpoint == h.Path {
			return true
		}
	}
	return false
}

// inSubtree reports whether mount id is root or lies below it.
func inSubtree(mounts []*mountinfo.Info, id, root uint64) bool {
	parent := map[uint64]uint64{}
	for _, m := range mounts {
		parent[uint64(m.ID)] = uint64(m.Parent)
	}
	for range len(mounts) + 1 {
		if id == root {
			return true
		}
		p, ok := parent[id]
		if !ok || p == id {
			return false
		}
		id = p
	}
	return false
}

// hostRootReady checks, in the init process, that the runtime bound
// rootfs before it started (BindHostRoot): rootfs must be a mount point,
// or the mounts below would land in whatever host mount holds it, and no
// delete would find them.
func hostRootReady(rootfs string) error {
	here, err := mountID(rootfs)
	if err != nil {
		return err
	}
	above, err := mountID(filepath.Join(rootfs, ".."))
	if err != nil {
		return err
	}
	if here == above {
		return fmt.Errorf("%s is not a mount point: the runtime binds it before a container without a mount namespace starts", rootfs)
	}
	return nil
}
