package container

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// minMemory is Docker's smallest memory limit: below it a container
// cannot even start its runtime's init.
const minMemory = 6 << 20

// cpuPeriod is the CFS period --cpus is expressed against (Docker's).
const cpuPeriod = 100000

// applyResources sets the cgroup limits of r on spec.
func applyResources(spec *specs.Spec, r api.Resources) error {
	res := spec.Linux.Resources
	if r.Memory != 0 {
		if r.Memory < minMemory {
			return fmt.Errorf("memory limit %d is below the minimum of 6 MiB: %w", r.Memory, errdefs.ErrInvalidArgument)
		}
		m := r.Memory
		res.Memory = &specs.LinuxMemory{Limit: &m}
	}
	if r.NanoCPUs < 0 || r.CPUShares < 0 || r.PidsLimit < 0 {
		return fmt.Errorf("cpus, cpu shares and pids limit must not be negative: %w", errdefs.ErrInvalidArgument)
	}
	if r.NanoCPUs != 0 || r.CPUShares != 0 || r.CpusetCpus != "" {
		res.CPU = &specs.LinuxCPU{}
	}
	if r.NanoCPUs != 0 {
		quota := r.NanoCPUs * cpuPeriod / 1e9
		if quota < 1000 {
			return fmt.Errorf("cpus %.3f is below the minimum of 0.01: %w", float64(r.NanoCPUs)/1e9, errdefs.ErrInvalidArgument)
		}
		period := uint64(cpuPeriod)
		res.CPU.Quota, res.CPU.Period = &quota, &period
	}
	if r.CPUShares != 0 {
		shares := uint64(r.CPUShares)
		res.CPU.Shares = &shares
	}
	if r.CpusetCpus != "" {
		res.CPU.Cpus = r.CpusetCpus
	}
	if r.PidsLimit > 0 {
		limit := r.PidsLimit
		res.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return applyLimits(spec, r) // limits.go
}
