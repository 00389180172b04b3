package container

import (
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
)

// The memory, CPU, block I/O and OOM settings of Docker's HostConfig
// (--memory-swap, --memory-reservation, --memory-swappiness,
// --oom-kill-disable, --oom-score-adj, --cpu-period, --cpu-quota,
// --cpuset-mems, --blkio-weight, --device-{read,write}-{bps,iops}) are
// checked by checkLimits at create, with Docker's messages, and put into
// the spec by applyLimits.

// Docker's warnings for what the host cannot do. Docker drops the setting
// and says so rather than refusing the container.
const (
	warnNoSwapLimit   = "Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap."
	warnNoBlkioWeight = "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."
	warnOOMNoMemory   = "OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources."
)

// checkLimits refuses what Docker's daemon refuses, with its messages,
// and completes r as Docker records it: with a memory limit and no swap
// limit, memory+swap is twice the memory; a setting the host cannot
// honour (no swap accounting, no block I/O weights) is dropped with
// Docker's warning.
func checkLimits(r *api.Resources) (warnings []string, err error) {
	switch {
	case r.MemorySwap < -1:
		return nil, invalidf("invalid memory-swap limit %d: want -1 (unlimited) or a size", r.MemorySwap)
	case r.Memory == 0 && r.MemorySwap > 0:
		return nil, invalidf("You should always set the Memory limit when using Memoryswap limit, see usage")
	case r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory:
		return nil, invalidf("Minimum memoryswap limit should be larger than memory limit, see usage")
	case r.MemorySwappiness != nil && *r.MemorySwappiness != -1 && (*r.MemorySwappiness < 0 || *r.MemorySwappiness > 100):
		return nil, invalidf("Invalid value: %v, valid memory swappiness range is 0-100", *r.MemorySwappiness)
	case r.MemoryReservation < 0:
		return nil, invalidf("invalid memory reservation %d", r.MemoryReservation)
	case r.MemoryReservation > 0 && r.MemoryReservation < minMemory:
		return nil, invalidf("Minimum memory reservation allowed is 6MB")
	case r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation:
		return nil, invalidf("Minimum memory limit can not be less than memory reservation limit, see usage")
	case r.OomScoreAdj < -1000 || r.OomScoreAdj > 1000:
		return nil, invalidf("Invalid value %d, range for oom score adj is [-1000, 1000]", r.OomScoreAdj)
	case r.NanoCPUs > 0 && r.CPUPeriod > 0:
		return nil, invalidf("Conflicting options: Nano CPUs and CPU Period cannot both be set")
	case r.NanoCPUs > 0 && r.CPUQuota > 0:
		return nil, invalidf("Conflicting options: Nano CPUs and CPU Quota cannot both be set")
	case r.CPUPeriod != 0 && (r.CPUPeriod < 1000 || r.CPUPeriod > 1000000):
		return nil, invalidf("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
	case r.CPUQuota > 0 && r.CPUQuota < 1000:
		return nil, invalidf("CPU cfs quota can not be less than 1ms (i.e. 1000)")
	case r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000):
		return nil, invalidf("Range of blkio weight is from 10 to 1000")
	}
	if r.CpusetMems != "" {
		if err := checkCpusetMems(r.CpusetMems); err != nil {
			return nil, err
		}
	}
	if r.Memory > 0 && r.MemorySwap == 0 {
		r.MemorySwap = 2 * r.Memory // Docker's default
	}
	if r.MemorySwap != 0 && !swapLimitSupported() {
		warnings = append(warnings, warnNoSwapLimit)
		r.MemorySwap = -1
	}
	if r.BlkioWeight != 0 && !blkioWeightSupported() {
		warnings = append(warnings, warnNoBlkioWeight)
		r.BlkioWeight = 0
	}
	if r.OomKillDisable && r.Memory == 0 {
		warnings = append(warnings, warnOOMNoMemory)
	}
	return warnings, nil
}

// checkCpusetMems refuses a memory node list that does not parse or names
// a node the host does not have (Docker's messages).
func checkCpusetMems(list string) error {
	want, err := parseCPUList(list)
	if err != nil {
		return invalidf("Invalid value %s for cpuset mems", list)
	}
	online := "0" // a kernel without NUMA has node 0 only
	if b, err := os.ReadFile("/sys/devices/system/node/online"); err == nil {
		online = strings.TrimSpace(string(b))
	}
	have, err := parseCPUList(online)
	if err != nil {
		return nil // the kernel checks when the limit is written
	}
	for node := range want {
		if !have[node] {
			return invalidf("Requested memory nodes are not available - requested %s, available: %s", list, online)
		}
	}
	return nil
}

// applyLimits puts r's settings into spec, whose resources applyResources
// has begun. The throttled devices are resolved to their numbers here.
func applyLimits(spec *specs.Spec, r api.Resources) error {
	res := spec.Linux.Resources
	if r.MemorySwap != 0 || r.MemoryReservation != 0 || r.OomKillDisable ||
		(r.MemorySwappiness != nil && *r.MemorySwappiness >= 0) {
		if res.Memory == nil {
			res.Memory = &specs.LinuxMemory{}
		}
		m := res.Memory
		if r.MemorySwap != 0 {
			swap := r.MemorySwap
			m.Swap = &swap
		}
		if r.MemoryReservation != 0 {
			rsv := r.MemoryReservation
			m.Reservation = &rsv
		}
		if s := r.MemorySwappiness; s != nil && *s >= 0 {
			v := uint64(*s)
			m.Swappiness = &v
		}
		if r.OomKillDisable {
			yes := true
			m.DisableOOMKiller = &yes
		}
	}
	if r.OomScoreAdj != 0 {
		adj := r.OomScoreAdj
		spec.Process.OOMScoreAdj = &adj
	}
	if r.CPUPeriod != 0 || r.CPUQuota != 0 || r.CpusetMems != "" {
		if r.NanoCPUs != 0 && (r.CPUPeriod != 0 || r.CPUQuota != 0) {
			return invalidf("Conflicting options: Nano CPUs and CPU Period or Quota cannot both be set")
		}
		if res.CPU == nil {
			res.CPU = &specs.LinuxCPU{}
		}
		if r.CPUPeriod != 0 {
			period := uint64(r.CPUPeriod)
			res.CPU.Period = &period
		}
		if r.CPUQuota != 0 {
			quota := r.CPUQuota
			res.CPU.Quota = &quota
		}
		res.CPU.Mems = r.CpusetMems
	}
	return applyBlockIO(res, r)
}

// applyBlockIO sets the block I/O weight and the throttled devices.
func applyBlockIO(res *specs.LinuxResources, r api.Resources) error {
	if r.BlkioWeight == 0 && len(r.BlkioDeviceReadBps)+len(r.BlkioDeviceWriteBps)+
		len(r.BlkioDeviceReadIOps)+len(r.BlkioDeviceWriteIOps) == 0 {
		return nil
	}
	b := &specs.LinuxBlockIO{}
	if r.BlkioWeight != 0 {
		w := r.BlkioWeight
		b.Weight = &w
	}
	var err error
	for _, t := range []struct {
		flag string
		in   []api.ThrottleDevice
		out  *[]specs.LinuxThrottleDevice
	}{
		{"--device-read-bps", r.BlkioDeviceReadBps, &b.ThrottleReadBpsDevice},
		{"--device-write-bps", r.BlkioDeviceWriteBps, &b.ThrottleWriteBpsDevice},
		{"--device-read-iops", r.BlkioDeviceReadIOps, &b.ThrottleReadIOPSDevice},
		{"--device-write-iops", r.BlkioDeviceWriteIOps, &b.ThrottleWriteIOPSDevice},
	} {
		if *t.out, err = throttleDevices(t.flag, t.in); err != nil {
			return err
		}
	}
	res.BlockIO = b
	return nil
}

// throttleDevices resolves the devices of one throttle list.
func throttleDevices(flag string, in []api.ThrottleDevice) ([]specs.LinuxThrottleDevice, error) {
	var out []specs.LinuxThrottleDevice
	for _, d := range in {
		major, minor, err := blockDevice(d.Path)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, d.Path, err)
		}
		t := specs.LinuxThrottleDevice{Rate: d.Rate}
		t.Major, t.Minor = major, minor
		out = append(out, t)
	}
	return out, nil
}
