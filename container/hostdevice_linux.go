package container

import (
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

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
		return specs.LinuxDevice{}, fmt.Errorf("error gathering device information while adding custom device %q: not a device node: %w", path, errdefs.ErrInvalidArgument)
	}
	mode := os.FileMode(st.Mode & 0o777)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{
		Path: path, Type: typ,
		Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		FileMode: &mode, UID: &uid, GID: &gid,
	}, nil
}
