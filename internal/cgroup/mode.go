package cgroup

// Layout is the cgroup layout of a host, as reported by Mode. (The type
// cannot share the name Mode with the function.)
type Layout int

const (
	// Legacy: cgroup v1 only, one hierarchy per controller (or group of
	// controllers) under /sys/fs/cgroup/<controller>.
	Legacy Layout = iota
	// Hybrid: cgroup v1 controllers plus a cgroup2 hierarchy mounted at
	// /sys/fs/cgroup/unified, which holds whatever controllers v1 did not
	// claim (often none, sometimes hugetlb).
	Hybrid
	// Unified: cgroup v2 only, mounted at /sys/fs/cgroup.
	Unified
)

// String returns the layout's name as used in messages and `info` output.
func (l Layout) String() string {
	switch l {
	case Legacy:
		return "legacy"
	case Hybrid:
		return "hybrid"
	case Unified:
		return "unified"
	}
	return "unknown"
}
