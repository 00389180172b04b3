package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// errNotADevice is hostDevice's answer for a path that is no device node.
var errNotADevice = errors.New("not a device node")

// mappedDevices are the devices of the host path host, at dest in the
// container: the device node host is (symlinks followed), or, when host is
// a directory, every device node under it (found without following a
// symlink), each at the same place under dest, as Docker's --device
// /dev/snd. A directory without devices is an error, as a file that is
// no device.
func mappedDevices(host, dest string) ([]specs.LinuxDevice, error) {
	dev, err := hostDevice(host)
	if err == nil {
		dev.Path = dest
		return []specs.LinuxDevice{dev}, nil
	}
	if !errors.Is(err, errNotADevice) {
		return nil, err
	}
	dir, serr := filepath.EvalSymlinks(host)
	if serr != nil {
		return nil, err
	}
	if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
		return nil, err
	}
	var devs []specs.LinuxDevice
	werr := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.Type()&(fs.ModeDevice|fs.ModeCharDevice) == 0 {
			return nil // unreadable, a directory, a symlink or a file: not a device
		}
		dev, err := hostDevice(p)
		if err != nil {
			return nil // gone meanwhile
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		dev.Path = path.Join(dest, filepath.ToSlash(rel))
		devs = append(devs, dev)
		return nil
	})
	if werr != nil {
		return nil, fmt.Errorf("error gathering device information while adding custom device %q: %w", host, werr)
	}
	if len(devs) == 0 {
		return nil, err
	}
	return devs, nil
}

// hostDevice describes the device node at path on the host (symlinks
// followed, as Docker does for /dev/disk/by-id/... names): its type,
// numbers, mode and owner, which the container's node copies.
func hostDevice(path string) (specs.LinuxDevice, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		kind := errdefs.ErrInvalidArgument
		if err == unix.ENOENT {
			kind = errdefs.ErrNotFound
		}
		return specs.LinuxDevice{}, fmt.Errorf("error gathering device information while adding custom device %q: %w: %w", path, err, kind)
	}
	var typ string
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, fmt.Errorf("error gathering device information while adding custom device %q: %w: %w", path, errNotADevice, errdefs.ErrInvalidArgument)
	}
	mode := os.FileMode(st.Mode & 0o777)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{
		Path: path, Type: typ,
		Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		FileMode: &mode, UID: &uid, GID: &gid,
	}, nil
}
