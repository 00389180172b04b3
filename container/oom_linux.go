package container

import (
	"errors"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// oomKilled tells whether the kernel's OOM killer killed a process of the
// container during its run. It must be asked before the runtime deletes
// the cgroup. The container's init is the monitor's child, not ours, so
// the runtime's Process.Wait cannot answer; the cgroup manager reads the
// kernel's counter instead. The container's cgroup is where its spec's
// cgroupsPath puts it (cgroupsPathOf), which the cgroup package resolves
// for this host's layout; a cgroup that is already gone counts as no OOM
// kill.
func (s *Service) oomKilled(id string) bool {
	cg, err := cgroup.New(id, s.cgroupsPathOf(id), nil)
	if err != nil {
		return false
	}
	n, err := cg.OOMKillCount()
	return err == nil && n > 0
}

func isNotFound(err error) bool { return errors.Is(err, errdefs.ErrNotFound) }
