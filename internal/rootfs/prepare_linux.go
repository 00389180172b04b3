package rootfs

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Prepare sets up the root filesystem at rootfs (an absolute host path)
// before pivot_root:
//
//   - "/" gets spec.Linux.RootfsPropagation recursively (rslave when
//     unset or unbindable; see rootPropagation), so no mount made here
//     reaches the host;
//   - rootfs is bound onto itself, making it a mount point pivot_root
//     accepts;
//   - each spec.Mounts entry is mounted, in order, inside rootfs;
//   - /dev is populated (see setupDev).
//
// Bind sources are host paths; a relative one is taken from the working
// directory (runc runs its init in the bundle directory).
//
// Preconditions: the calling process is in a mount namespace of its own.
func Prepare(spec *specs.Spec, rootfs string) error {
	return prepare(spec, rootfs, true)
}

// PrepareInHostNamespace is Prepare for a container that shares the
// host's mount namespace: "/" is left as it is (its propagation is the
// host's, not ours to change) and rootfs must already be the private
// mount BindHostRoot made, below which every mount is then made.
func PrepareInHostNamespace(spec *specs.Spec, rootfs string) error {
	return prepare(spec, rootfs, false)
}

func prepare(spec *specs.Spec, rootfs string, ownNamespace bool) error {
	if spec == nil {
		return fmt.Errorf("preparing rootfs: no spec: %w", errdefs.ErrInvalidArgument)
	}
	if !filepath.IsAbs(rootfs) {
		return fmt.Errorf("preparing rootfs: %q is not an absolute path: %w", rootfs, errdefs.ErrInvalidArgument)
	}
	rootfs = filepath.Clean(rootfs)
	if ownNamespace {
		if err := prepareRoot(spec, rootfs); err != nil {
			return fmt.Errorf("preparing rootfs %q: %w", rootfs, err)
		}
	} else if err := hostRootReady(rootfs); err != nil {
		return fmt.Errorf("preparing rootfs %q: %w", rootfs, err)
	}
	r, err := openRoot(rootfs)
	if err != nil {
		return err
	}
	defer r.Close()
	hostMounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return fmt.Errorf("reading the mount table: %w", err)
	}
	p := &preparer{root: r, cgroups: cgroupLayoutOf(hostMounts), cgroupNS: hasCgroupNS(spec), special: specialDests(spec)}
	for _, m := range spec.Mounts {
		if err := p.mount(m); err != nil {
			return fmt.Errorf("mounting %s at %q: %w", m.Type, m.Destination, err)
		}
	}
	if err := p.setupDev(spec); err != nil {
		return fmt.Errorf("setting up /dev: %w", err)
	}
	return nil
}

// hasCgroupNS reports whether spec puts the container in a cgroup
// namespace (a new one or one joined by path).
func hasCgroupNS(spec *specs.Spec) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.CgroupNamespace {
			return true
		}
	}
	return false
}

// rootPropagation returns the propagation "/" gets before pivot_root:
// spec's, or rslave when unset or unbindable. An unbindable "/" would make
// the bind of rootfs onto itself fail with EINVAL (runc fails so); Finish
// gives the new root its unbindable propagation after pivot_root.
func rootPropagation(spec *specs.Spec) (uintptr, error) {
	if spec.Linux == nil || spec.Linux.RootfsPropagation == "" {
		return unix.MS_SLAVE | unix.MS_REC, nil
	}
	prop, err := parsePropagation(spec.Linux.RootfsPropagation)
	if err != nil {
		return 0, err
	}
	if prop&unix.MS_UNBINDABLE != 0 {
		return unix.MS_SLAVE | unix.MS_REC, nil
	}
	return prop, nil
}

// prepareRoot sets the propagation of "/" and binds rootfs onto itself.
func prepareRoot(spec *specs.Spec, rootfs string) error {
	prop, err := rootPropagation(spec)
	if err != nil {
		return err
	}
	if err := mount("propagation", "", "/", "/", "", prop, ""); err != nil {
		return err
	}
	if err := makeParentPrivate(rootfs); err != nil {
		return err
	}
	return mount("bind", rootfs, rootfs, rootfs, "bind", unix.MS_BIND|unix.MS_REC, "")
}

// makeParentPrivate makes the mount holding rootfs private if it is
// shared. pivot_root(2) fails with EINVAL when the parent mount of the new
// root is shared, and a bind mount under a shared mount is shared too;
// that happens when RootfsPropagation is "shared" or "rshared".
func makeParentPrivate(rootfs string) error {
	real, err := filepath.EvalSymlinks(rootfs)
	if err != nil {
		return fmt.Errorf("resolving rootfs: %w", err)
	}
	mounts, err := mountinfo.GetMounts(mountinfo.ParentsFilter(real))
	if err != nil {
		return fmt.Errorf("reading the mount table: %w", err)
	}
	// The mount holding rootfs has the longest mount point; of mounts
	// stacked on one mount point, the last listed is on top.
	var parent *mountinfo.Info
	for _, m := range mounts {
		if parent == nil || len(m.Mountpoint) >= len(parent.Mountpoint) {
			parent = m
		}
	}
	if parent == nil || !strings.Contains(parent.Optional, "shared:") {
		return nil
	}
	return mount("propagation", "", parent.Mountpoint, parent.Mountpoint, "", unix.MS_PRIVATE, "")
}
