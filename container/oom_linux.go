package container

import (
	"errors"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// runCgroup returns the manager of container id's cgroup, where
// oomKilled reads the OOM kill count at the exit; nil when it cannot be
// resolved. The container's cgroup is where its spec's cgroupsPath puts
// it (cgroupsPathOf), which the cgroup package resolves for this host's
// layout. Resolving costs ~0.3 ms (the library reads the mount table once
// per controller), against ~20 µs for the count itself: the exit watcher
// resolves it while the container runs, off the exit's path.
func (s *Service) runCgroup(id string) cgroup.Manager {
	cg, err := cgroup.New(id, s.cgroupsPathOf(id), nil)
	if err != nil {
		return nil
	}
	return cg
}

// oomKilled tells whether the kernel's OOM killer killed a process of the
// container during its run; cg is its cgroup (runCgroup), or nil to
// resolve it now. It must be asked before the runtime deletes the cgroup.
// The container's init is the monitor's child, not ours, so the runtime's
// Process.Wait cannot answer; the cgroup manager reads the kernel's
// counter instead. A cgroup that is already gone counts as no OOM kill.
func (s *Service) oomKilled(id string, cg cgroup.Manager) bool {
	if cg == nil {
		if cg = s.runCgroup(id); cg == nil {
			return false
		}
	}
	n, err := cg.OOMKillCount()
	return err == nil && n > 0
}

func isNotFound(err error) bool { return errors.Is(err, errdefs.ErrNotFound) }
