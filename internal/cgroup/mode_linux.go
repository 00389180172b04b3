package cgroup

import "github.com/opencontainers/cgroups"

// Mode reports the host's cgroup layout: Legacy (v1), Hybrid, or Unified
// (v2). The answer comes from statfs(2) of /sys/fs/cgroup and
// /sys/fs/cgroup/unified, made once per process by the library and cached
// there; it does not follow later changes to the mounts.
func Mode() Layout {
	switch {
	case cgroups.IsCgroup2UnifiedMode():
		return Unified
	case cgroups.IsCgroup2HybridMode():
		return Hybrid
	}
	return Legacy
}
