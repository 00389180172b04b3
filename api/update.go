package api

// ContainerUpdate is the body of POST /v1/containers/{id}/update, as
// Docker's update: the limits to change on a running, paused or stopped
// container, kept for its next starts. A zero field keeps the current
// value.
type ContainerUpdate struct {
	// Memory is the memory limit in bytes (at least 6 MiB).
	Memory int64 `json:"memory,omitempty"`
	// MemorySwap is memory plus swap in bytes (at least Memory), or -1
	// for unlimited swap.
	MemorySwap int64 `json:"memorySwap,omitempty"`
	// NanoCPUs is CPUs × 1e9 (--cpus).
	NanoCPUs   int64  `json:"nanoCpus,omitempty"`
	CPUShares  int64  `json:"cpuShares,omitempty"`
	CpusetCpus string `json:"cpusetCpus,omitempty"`
	// PidsLimit, when set, is the new limit; 0 or -1 removes it.
	PidsLimit *int64 `json:"pidsLimit,omitempty"`
	// RestartPolicy, when set, replaces the restart policy.
	RestartPolicy *RestartPolicy `json:"restartPolicy,omitempty"`
}

// ContainerUpdated answers POST /v1/containers/{id}/update.
type ContainerUpdated struct {
	Warnings []string `json:"warnings,omitempty"`
}
