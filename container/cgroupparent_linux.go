package container

import (
	"os"
	"path/filepath"
)

// cgroupMounts is where the host's cgroup hierarchies are mounted.
const cgroupMounts = "/sys/fs/cgroup"

// removeCgroupParent removes the directories of a --cgroup-parent below
// the engine's cgroup root, deepest first, in every hierarchy, as long as
// they are empty: the runtime made them with the container's cgroup and
// removed only that one. rmdir(2) of a cgroup fails while it holds a
// child cgroup or a process, so a parent another container still uses
// stays. Best effort: a parent left behind holds nothing.
func removeCgroupParent(parent string) {
	if parent == "" {
		return
	}
	bases := []string{cgroupMounts} // v2: one hierarchy at the top
	entries, _ := os.ReadDir(cgroupMounts)
	for _, e := range entries {
		if e.IsDir() { // v1: one per controller; the symlinks (cpu -> cpu,cpuacct) are skipped
			bases = append(bases, filepath.Join(cgroupMounts, e.Name()))
		}
	}
	for _, base := range bases {
		stop := filepath.Join(base, engineCgroup)
		for dir := filepath.Join(stop, parent); dir != stop && len(dir) > len(stop); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break
			}
		}
	}
}
