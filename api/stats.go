package api

import "time"

// ContainerStats is one sample of GET /v1/containers/{id}/stats: the
// container's usage counters as read at Read, and the CPU counters of an
// earlier sample (PreCPU, read at PreRead), so that one sample is enough
// to compute the CPU percentage as Docker does:
//
//	(CPU.TotalUsage - PreCPU.TotalUsage) / (CPU.SystemUsage - PreCPU.SystemUsage)
//	  × CPU.OnlineCPUs × 100
//
// A container that is not running has only ID, Name and Read set. The
// content is Docker's stats document (StatsJSON) in this API's camelCase
// names.
type ContainerStats struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Read    time.Time `json:"read"`
	PreRead time.Time `json:"preRead"`

	CPU    CPUStats    `json:"cpu"`
	PreCPU CPUStats    `json:"preCpu"`
	Memory MemoryStats `json:"memory"`
	Pids   PidsStats   `json:"pids"`
	// Networks are the container's interfaces other than lo, by name;
	// none for a container on the host's network (its counters are the
	// host's).
	Networks map[string]NetworkStats `json:"networks,omitempty"`
	BlockIO  BlockIOStats            `json:"blockIo"`
}

// CPUStats are cumulative CPU times in nanoseconds.
type CPUStats struct {
	// TotalUsage is the container's CPU time, UsageInUsermode and
	// UsageInKernelmode its split.
	TotalUsage        uint64 `json:"totalUsage"`
	UsageInUsermode   uint64 `json:"usageInUsermode"`
	UsageInKernelmode uint64 `json:"usageInKernelmode"`
	// SystemUsage is the host's CPU time, all CPUs and states (idle
	// included) summed from /proc/stat, as Docker's system_cpu_usage.
	SystemUsage uint64 `json:"systemUsage"`
	// OnlineCPUs is the number of the host's online CPUs.
	OnlineCPUs uint32 `json:"onlineCpus"`
	// Throttling: CFS periods with a quota, those the container was
	// throttled in, and the time it was throttled (ns).
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttledPeriods,omitempty"`
	ThrottledTime    uint64 `json:"throttledTime,omitempty"`
}

// MemoryStats are in bytes. Usage includes the page cache; Stats holds
// the cgroup's memory.stat counters under the kernel's names (v1:
// total_inactive_file, cache...; v2: inactive_file, file...), from which
// `stats` subtracts the inactive file cache as Docker does. Limit is the
// container's limit, or the host's memory when it has none.
type MemoryStats struct {
	Usage    uint64            `json:"usage"`
	MaxUsage uint64            `json:"maxUsage,omitempty"`
	Limit    uint64            `json:"limit"`
	Failcnt  uint64            `json:"failcnt,omitempty"`
	Stats    map[string]uint64 `json:"stats,omitempty"`
}

// PidsStats counts the container's tasks (processes and threads); Limit
// is 0 without a limit.
type PidsStats struct {
	Current uint64 `json:"current"`
	Limit   uint64 `json:"limit,omitempty"`
}

// NetworkStats are one interface's counters (/proc/net/dev in the
// container's network namespace).
type NetworkStats struct {
	RxBytes   uint64 `json:"rxBytes"`
	RxPackets uint64 `json:"rxPackets"`
	RxErrors  uint64 `json:"rxErrors"`
	RxDropped uint64 `json:"rxDropped"`
	TxBytes   uint64 `json:"txBytes"`
	TxPackets uint64 `json:"txPackets"`
	TxErrors  uint64 `json:"txErrors"`
	TxDropped uint64 `json:"txDropped"`
}

// BlockIOStats are the bytes read and written per block device
// (blkio.throttle.io_service_bytes_recursive on v1, io.stat on v2).
type BlockIOStats struct {
	IoServiceBytesRecursive []BlockIOEntry `json:"ioServiceBytesRecursive,omitempty"`
}

// BlockIOEntry is one device's count; Op is "Read" or "Write".
type BlockIOEntry struct {
	Major uint64 `json:"major"`
	Minor uint64 `json:"minor"`
	Op    string `json:"op"`
	Value uint64 `json:"value"`
}
