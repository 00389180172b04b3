package cgroup

import (
	"fmt"
	"strconv"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// kernelTCPOf returns linux.resources.memory.kernelTCP, or nil.
func kernelTCPOf(r *specs.LinuxResources) *int64 {
	if r == nil || r.Memory == nil || r.Memory.KernelTCP == nil {
		return nil
	}
	v := *r.Memory.KernelTCP
	return &v
}

// setKernelTCP writes the v1 TCP buffer memory limit (-1: none) of the
// memory cgroup at dir. The library no longer knows the file; the spec
// still has the field (NOT RECOMMENDED) and v1 kernels still honour it,
// as crun does. Cgroup v2 has no such limit: there the field is ignored,
// as kernel memory (linux.resources.memory.kernel) is everywhere.
func setKernelTCP(dir string, limit int64) error {
	if dir == "" {
		return fmt.Errorf("setting memory.kmem.tcp.limit_in_bytes: the cgroup has no v1 memory controller")
	}
	if err := cgroups.WriteFile(dir, "memory.kmem.tcp.limit_in_bytes", strconv.FormatInt(limit, 10)); err != nil {
		return fmt.Errorf("setting linux.resources.memory.kernelTCP: %w", err)
	}
	return nil
}
