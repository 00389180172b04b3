package cgroup

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Manager is one container's cgroup, across every hierarchy of the host.
// Its methods are safe to call from one goroutine at a time.
type Manager interface {
	// Apply creates the cgroup, sets the limits given to New, and then
	// places pid into it, so that the process never runs in the cgroup
	// without its limits. If creating or setting fails, what was created is
	// removed; if moving pid fails, the caller kills pid and calls Destroy.
	// On a manager from Load, Apply only places pid (exec).
	Apply(pid int) error
	// Create is Apply without a process: the cgroup is made and given its
	// limits, and a process joins it by itself (the runtime's stage writes
	// "0" into the tasks files, or is born in the v2 cgroup: see
	// runtime/cgroupjoin_linux.go). If it fails, what was created is
	// removed. On a manager from Load it does nothing.
	Create() error
	// Set applies resource limits to an existing cgroup (an update): nil
	// fields leave the current values, and a nil device list leaves the
	// device rules as they are.
	Set(r *specs.LinuxResources) error
	// Pids lists every process in the cgroup, sub-cgroups included.
	Pids() ([]int, error)
	// OOMKillCount reports how many processes the kernel's OOM killer
	// killed in this cgroup (v1: memory.oom_control oom_kill; v2:
	// memory.events oom_kill).
	OOMKillCount() (uint64, error)
	// Stats reads the usage counters `stats` shows: CPU time, memory,
	// tasks and block I/O bytes.
	Stats() (*Stats, error)
	// CPUUsage reads only the cumulative CPU time (ns), the one counter
	// kept between samples: one small file on either layout.
	CPUUsage() (uint64, error)
	// Freeze stops every process in the cgroup (pause).
	Freeze() error
	// Thaw resumes the processes stopped by Freeze.
	Thaw() error
	// Destroy removes the cgroup from every hierarchy. The caller kills the
	// processes first (and thaws a frozen cgroup: frozen processes cannot
	// die); Destroy retries for about a second on EBUSY while the last of
	// them exit, then fails with ErrConflict. Removing a cgroup that is
	// already gone is not an error.
	Destroy() error
	// Paths returns the cgroup directory per controller ("" for the
	// cgroup2 hierarchy, alone on a v2 host, beside the v1 ones on a hybrid
	// host). The caller persists it in the container's state so that a
	// later process can Load the cgroup.
	Paths() map[string]string
}
