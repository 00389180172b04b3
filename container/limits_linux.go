package container

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// blockDevice returns the numbers of the host's block device at path
// (symlinks followed, as /dev/disk/by-id/...). Anything else is refused:
// the throttle files take block devices only.
func blockDevice(path string) (major, minor int64, err error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, invalidf("error getting the block device: %v", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, invalidf("%s is not a block device", path)
	}
	return int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), nil
}

// swapLimitSupported: v1 hosts account swap only with swapaccount=1
// (memory.memsw.* exist); v2 always has memory.swap.max below the root.
func swapLimitSupported() bool {
	if cgroup.Mode() == cgroup.Unified {
		return true
	}
	_, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
	return err == nil
}

// blkioWeightSupported: v1's blkio has a weight file only when the block
// devices' I/O scheduler does proportional weights (CFQ's blkio.weight,
// BFQ's blkio.bfq.weight); v2's io.weight belongs to the io controller.
func blkioWeightSupported() bool {
	if cgroup.Mode() == cgroup.Unified {
		return true
	}
	for _, f := range []string{"blkio.weight", "blkio.bfq.weight"} {
		if _, err := os.Stat("/sys/fs/cgroup/blkio/" + f); err == nil {
			return true
		}
	}
	return false
}
