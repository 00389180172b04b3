package rootfs

import (
	"errors"
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// preparer mounts a spec's mounts into a root.
type preparer struct {
	root *root
	// cgroups is the host's cgroup layout, for "cgroup" mounts.
	cgroups cgroupLayout
	// cgroupNS is true when the container has a cgroup namespace of its
	// own (new or joined), where a fresh cgroup mount shows only its
	// own cgroup.
	cgroupNS bool
	// special are the destinations the image may not redirect with a
	// symlink (see checkDestination).
	special map[string]bool
}

// userNSFallback is where the host has the filesystem of a type that a
// user namespace may not mount (sysfs needs a network namespace owned by
// the user namespace, mqueue an IPC namespace): when mounting one is
// refused, the host's instance is bound instead, as runc does.
func userNSFallback(fstype string) string {
	switch fstype {
	case "sysfs":
		return "/sys"
	case "mqueue":
		return "/dev/mqueue"
	}
	return ""
}

// mount mounts one spec mount.
func (p *preparer) mount(m specs.Mount) error {
	dest := cleanPath(m.Destination)
	if dest == "/" {
		return fmt.Errorf("a mount over the root itself is not supported (use spec.Root): %w", errdefs.ErrInvalidArgument)
	}
	if len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
		return fmt.Errorf("id-mapped mounts are not supported: %w", errdefs.ErrInvalidArgument)
	}
	if err := p.checkDestination(m, dest); err != nil {
		return err
	}
	opts := parseMountOptions(m.Options)
	switch {
	case m.Type == "bind" || opts.isBind():
		opts.flags |= unix.MS_BIND
		return p.bindMount(m.Source, dest, opts)
	case m.Type == "cgroup":
		return p.mountCgroup(dest, opts)
	default:
		return p.mountFS(m.Source, dest, m.Type, opts)
	}
}

// mountFS mounts a filesystem of type fstype (proc, tmpfs, overlay, ...)
// at dest, creating the directory if needed.
func (p *preparer) mountFS(source, dest, fstype string, opts mountOptions) error {
	target, hostPath, err := p.root.mkdirAll(dest)
	if err != nil {
		return err
	}
	err = mount("mount", source, procFd(target), hostPath, fstype, opts.flags, opts.data)
	target.Close()
	if errors.Is(err, unix.EPERM) {
		if host := userNSFallback(fstype); host != "" {
			opts.flags |= unix.MS_BIND | unix.MS_REC
			return p.bindMount(host, dest, opts)
		}
	}
	if err != nil {
		return err
	}
	return p.finishMount(dest, hostPath, 0, opts)
}

// bindMount binds the host path source at dest. The target is a directory
// when source is one, an empty file otherwise (files, device nodes).
func (p *preparer) bindMount(source, dest string, opts mountOptions) error {
	// source is a host path from the configuration, trusted; it is
	// followed like mount(8) would.
	fi, err := os.Stat(source)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%w: %w", errdefs.ErrNotFound, err)
		}
		return fmt.Errorf("bind mount source: %w", err)
	}
	var target *os.File
	var hostPath string
	if fi.IsDir() {
		target, hostPath, err = p.root.mkdirAll(dest)
	} else {
		target, hostPath, err = p.root.createFile(dest)
	}
	if err != nil {
		return err
	}
	err = mount("bind", source, procFd(target), hostPath, "bind", unix.MS_BIND|opts.flags&unix.MS_REC, "")
	target.Close()
	if err != nil {
		return err
	}
	// With MS_BIND, mount(2) ignores every flag but MS_REC: read-only,
	// nosuid and the rest take effect only through a remount of the new
	// bind mount.
	return p.finishMount(dest, hostPath, opts.flags&^(unix.MS_BIND|unix.MS_REC|unix.MS_REMOUNT), opts)
}

// finishMount applies to the mount just made at dest what the mount call
// itself could not: remountFlags (bind mounts), the recursive attributes,
// and each propagation change.
//
// dest is opened again, so the handle is on the new mount (the one used
// for the mount was on the directory under it), and the new handle must be
// where the mount was made: the re-check after the mount.
func (p *preparer) finishMount(dest, hostPath string, remountFlags uintptr, opts mountOptions) error {
	if remountFlags == 0 && !opts.hasAttrs() && len(opts.propagation) == 0 {
		return nil
	}
	f, now, err := p.root.open(dest)
	if err != nil {
		return err
	}
	defer f.Close()
	if now != hostPath {
		return fmt.Errorf("mount target %q moved from %q to %q while mounting: %w", dest, hostPath, now, errdefs.ErrConflict)
	}
	if remountFlags != 0 {
		if err := remountBind(procFd(f), hostPath, remountFlags); err != nil {
			return err
		}
	}
	if opts.hasAttrs() {
		attr := unix.MountAttr{Attr_set: opts.attrSet, Attr_clr: opts.attrClr}
		if err := unix.MountSetattr(int(f.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
			return &mountError{op: "mount_setattr", target: hostPath, data: fmt.Sprintf("attr_set=%#x,attr_clr=%#x", opts.attrSet, opts.attrClr), err: err}
		}
	}
	for _, prop := range opts.propagation {
		if err := mount("propagation", "", procFd(f), hostPath, "", prop, ""); err != nil {
			return err
		}
	}
	return nil
}

// remountBind changes the flags of the bind mount at target (shown as
// shownTarget in errors) to flags.
//
// In a user namespace, flags of mounts inherited from the host are locked:
// a remount that would clear nosuid, nodev, noexec or change the atime
// mode fails with EPERM. Then the flags the mount has now (statfs) are
// added and the remount tried once more, as runc does.
func remountBind(target, shownTarget string, flags uintptr) error {
	err := mount("remount", "", target, shownTarget, "", unix.MS_REMOUNT|unix.MS_BIND|flags, "")
	if !errors.Is(err, unix.EPERM) {
		return err
	}
	var st unix.Statfs_t
	if serr := unix.Statfs(target, &st); serr != nil {
		return err
	}
	locked := lockedFlags(st.Flags)
	if locked&^flags == 0 {
		return err
	}
	return mount("remount", "", target, shownTarget, "", unix.MS_REMOUNT|unix.MS_BIND|flags|locked, "")
}

// lockedFlags turns statfs(2) f_flags into the MS_* flags a bind remount
// must keep: nosuid, nodev, noexec and the atime mode.
func lockedFlags(stFlags int64) uintptr {
	var flags uintptr
	for _, m := range []struct {
		st int64
		ms uintptr
	}{
		{unix.ST_NOSUID, unix.MS_NOSUID},
		{unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME},
		{unix.ST_NODIRATIME, unix.MS_NODIRATIME},
		{unix.ST_RELATIME, unix.MS_RELATIME},
	} {
		if stFlags&m.st != 0 {
			flags |= m.ms
		}
	}
	return flags
}

// hasMount reports whether spec mounts something at dest whose type or
// options say it is of kind: "bind" for a bind mount, else the fstype.
func hasMount(spec *specs.Spec, dest, kind string) bool {
	for _, m := range spec.Mounts {
		if cleanPath(m.Destination) != dest {
			continue
		}
		bind := m.Type == "bind" || parseMountOptions(m.Options).isBind()
		if (kind == "bind" && bind) || (!bind && strings.EqualFold(m.Type, kind)) {
			return true
		}
	}
	return false
}
