package cgroup

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/cgroups"

	"github.com/container-runtime/container-runtime/errdefs"
)

// checkBlkioWeight refuses block I/O weights on a v1 host whose blkio
// controller has no weight file. The files exist only when the block
// devices' I/O scheduler does proportional weights (CFQ gave blkio.weight,
// BFQ gives blkio.bfq.weight); with mq-deadline or none, which most hosts
// use, neither exists and the library would fail with a bare "open
// blkio.weight: no such file or directory".
//
// v2 is left to the library (io.weight belongs to the controller itself).
func (m *manager) checkBlkioWeight(res *cgroups.Resources) error {
	if m.layout == Unified || (res.BlkioWeight == 0 && res.BlkioLeafWeight == 0 && len(res.BlkioWeightDevice) == 0) {
		return nil
	}
	dir := m.lib.Path("blkio")
	if dir == "" {
		return nil
	}
	for _, name := range []string{"blkio.weight", "blkio.bfq.weight"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("linux.resources.blockIO: weights are not available on this host: %s has neither blkio.weight nor blkio.bfq.weight (the block devices' I/O scheduler is not BFQ): %w",
		dir, errdefs.ErrUnavailable)
}
