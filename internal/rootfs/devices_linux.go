package rootfs

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// setupDev populates /dev. With a tmpfs at /dev it gets the default
// devices, spec.Linux.Devices, and the usual symlinks. Without one, only
// spec.Linux.Devices are created, in the image's /dev. When /dev is bound
// from elsewhere (the host's /dev), nothing is touched: it is not ours.
func (p *preparer) setupDev(spec *specs.Spec) error {
	if hasMount(spec, "/dev", "bind") {
		return nil
	}
	tmpfs := hasMount(spec, "/dev", "tmpfs")
	var devices []specs.LinuxDevice
	if tmpfs {
		devices = DefaultDevices()
	}
	if spec.Linux != nil {
		devices = mergeDevices(devices, spec.Linux.Devices)
	}
	// Device modes are exact: 0666 must not become 0644.
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devices {
		if err := p.createDevice(d); err != nil {
			return fmt.Errorf("creating device %q: %w", d.Path, err)
		}
	}
	if !tmpfs {
		return nil
	}
	return p.devSymlinks(hasMount(spec, "/dev/pts", "devpts"))
}

// mergeDevices returns defaults with extra appended; an extra device with
// the path of a default one replaces it.
func mergeDevices(defaults, extra []specs.LinuxDevice) []specs.LinuxDevice {
	out := make([]specs.LinuxDevice, 0, len(defaults)+len(extra))
	for _, d := range defaults {
		replaced := false
		for _, e := range extra {
			if cleanPath(e.Path) == cleanPath(d.Path) {
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	return append(out, extra...)
}

// deviceType turns a spec device type into the S_IF* bits of mknod(2).
func deviceType(t string) (uint32, error) {
	switch t {
	case "c", "u":
		return unix.S_IFCHR, nil
	case "b":
		return unix.S_IFBLK, nil
	case "p":
		return unix.S_IFIFO, nil
	}
	return 0, fmt.Errorf("device type %q is not one of c, u, b, p: %w", t, errdefs.ErrInvalidArgument)
}

// createDevice makes the device node d in the root. Where mknod(2) is not
// allowed (in a user namespace), the host's node at the same path is bound
// onto an empty file instead. An existing file at the path is kept.
//
// Preconditions: umask is 0.
func (p *preparer) createDevice(d specs.LinuxDevice) error {
	typ, err := deviceType(d.Type)
	if err != nil {
		return err
	}
	perm := uint32(0o666)
	if d.FileMode != nil {
		perm = uint32(d.FileMode.Perm())
	}
	dest := cleanPath(d.Path)
	parent, name, err := p.root.parentOf(dest)
	if err != nil {
		return err
	}
	defer parent.Close()
	dev := unix.Mkdev(uint32(d.Major), uint32(d.Minor))
	err = unix.Mknodat(int(parent.Fd()), name, typ|perm, int(dev))
	switch {
	case errors.Is(err, unix.EEXIST):
		return nil
	case errors.Is(err, unix.EPERM):
		// The host node must be the same device; bind it.
		return p.bindMount(dest, dest, mountOptions{flags: unix.MS_BIND})
	case err != nil:
		return fmt.Errorf("mknod %q type %s %d:%d mode %#o: %w", dest, d.Type, d.Major, d.Minor, perm, err)
	}
	if d.UID == nil && d.GID == nil {
		return nil
	}
	uid, gid := -1, -1
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	if err := unix.Fchownat(int(parent.Fd()), name, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown %q to %d:%d: %w", dest, uid, gid, err)
	}
	return nil
}

// devSymlinks makes the symlinks programs expect in /dev: fd, stdin,
// stdout, stderr, core, and ptmx when a devpts instance is at /dev/pts
// (its ptmx is the one that allocates in that instance).
func (p *preparer) devSymlinks(devpts bool) error {
	dir, _, err := p.root.open("/dev")
	if err != nil {
		return err
	}
	defer dir.Close()
	links := [][2]string{
		{"fd", "/proc/self/fd"},
		{"stdin", "/proc/self/fd/0"},
		{"stdout", "/proc/self/fd/1"},
		{"stderr", "/proc/self/fd/2"},
		{"core", "/proc/kcore"},
	}
	if devpts {
		if err := unix.Unlinkat(int(dir.Fd()), "ptmx", 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("removing /dev/ptmx: %w", err)
		}
		links = append(links, [2]string{"ptmx", "pts/ptmx"})
	}
	for _, l := range links {
		if err := unix.Symlinkat(l[1], int(dir.Fd()), l[0]); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("linking /dev/%s to %s: %w", l[0], l[1], err)
		}
	}
	return nil
}
