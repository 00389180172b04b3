package cgroup

// Stats is one reading of a cgroup's usage counters, in the same units on
// every layout: what `stats` shows of a container.
type Stats struct {
	CPU     CPUStats
	Memory  MemoryStats
	Pids    PidsStats
	BlockIO []BlockIOEntry
}

// CPUStats are cumulative CPU times in nanoseconds (v1 cpuacct.usage and
// cpuacct.usage_user/_sys; v2 cpu.stat's *_usec × 1000), and the CFS
// throttling counters.
type CPUStats struct {
	Total, User, System uint64
	// Periods is the number of CFS periods with the quota in force,
	// ThrottledPeriods those the cgroup ran out of quota in, and
	// ThrottledTime the total time it was throttled (ns).
	Periods, ThrottledPeriods, ThrottledTime uint64
}

// MemoryStats are in bytes. Limit is math.MaxUint64-ish (the kernel's
// "no limit") when the cgroup has none. Stats holds memory.stat's
// counters under the kernel's own names (v1: cache, total_inactive_file,
// ...; v2: file, inactive_file, ...).
type MemoryStats struct {
	Usage, MaxUsage, Limit uint64
	Failcnt                uint64
	Stats                  map[string]uint64
}

// PidsStats: Current tasks in the cgroup and the limit (0: none).
type PidsStats struct {
	Current, Limit uint64
}

// BlockIOEntry is bytes transferred to or from one block device; Op is
// "Read" or "Write" (other operations v1 lists are left out).
type BlockIOEntry struct {
	Major, Minor uint64
	Op           string
	Value        uint64
}
