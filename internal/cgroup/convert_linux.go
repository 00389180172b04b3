package cgroup

import (
	"fmt"
	"maps"

	"github.com/opencontainers/cgroups"
	devconfig "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// toResources converts an OCI spec's linux.resources into the library's
// cgroups.Resources for a host with the given layout. r must have passed
// Validate. The result is never nil (the v1 manager needs one even without
// limits).
//
// In the library's Resources a zero value means "leave as is"; the spec's
// nil pointers map to it. The differences between layouts:
//
//   - v1 (Legacy, Hybrid): cpu.shares is written as is. Unified entries are
//     not put in the result (the v1 manager refuses them); on a hybrid host
//     the manager writes them to the cgroup2 hierarchy itself.
//   - v2 (Unified): cpu.shares becomes cpu.weight (see cpuWeight); the
//     memory+swap total stays memory+swap here because the fs2 manager
//     subtracts the limit itself when it writes memory.swap.max.
//
// Device rules are copied in order; an empty list means "deny every device"
// on Apply (the container's defaults must come from the spec; see
// DefaultDeviceRules).
func toResources(r *specs.LinuxResources, layout Layout) (*cgroups.Resources, error) {
	res := &cgroups.Resources{}
	if r == nil {
		return res, nil
	}
	for _, d := range r.Devices {
		res.Devices = append(res.Devices, toDeviceRule(d))
	}
	if m := r.Memory; m != nil {
		res.Memory = deref(m.Limit)
		res.MemoryReservation = deref(m.Reservation)
		res.MemorySwap = deref(m.Swap)
		// m.Kernel is ignored: kernel memory limits are gone from Linux
		// (5.16+). m.KernelTCP is written by the manager (setKernelTCP).
		setNonNil(&res.MemorySwappiness, m.Swappiness)
		res.OomKillDisable = deref(m.DisableOOMKiller)
		res.MemoryCheckBeforeUpdate = deref(m.CheckBeforeUpdate)
	}
	if c := r.CPU; c != nil {
		if layout == Unified {
			res.CpuWeight = cpuWeight(deref(c.Shares))
		} else {
			res.CpuShares = deref(c.Shares)
		}
		res.CpuQuota = deref(c.Quota)
		res.CpuPeriod = deref(c.Period)
		setNonNil(&res.CpuBurst, c.Burst)
		res.CpuRtRuntime = deref(c.RealtimeRuntime)
		res.CpuRtPeriod = deref(c.RealtimePeriod)
		res.CpusetCpus = c.Cpus
		res.CpusetMems = c.Mems
		setNonNil(&res.CPUIdle, c.Idle)
	}
	if r.Pids != nil {
		// 0 is written as 1 by the library (as systemd does); -1 as "max".
		setNonNil(&res.PidsLimit, r.Pids.Limit)
	}
	if b := r.BlockIO; b != nil {
		convertBlockIO(b, res)
	}
	for _, h := range r.HugepageLimits {
		res.HugetlbLimit = append(res.HugetlbLimit, &cgroups.HugepageLimit{Pagesize: h.Pagesize, Limit: h.Limit})
	}
	if n := r.Network; n != nil {
		res.NetClsClassid = deref(n.ClassID)
		for _, p := range n.Priorities {
			res.NetPrioIfpriomap = append(res.NetPrioIfpriomap, &cgroups.IfPrioMap{Interface: p.Name, Priority: int64(p.Priority)})
		}
	}
	if len(r.Rdma) > 0 {
		res.Rdma = make(map[string]cgroups.LinuxRdma, len(r.Rdma))
		for dev, l := range r.Rdma {
			res.Rdma[dev] = cgroups.LinuxRdma{HcaHandles: l.HcaHandles, HcaObjects: l.HcaObjects}
		}
	}
	if len(r.Unified) > 0 {
		switch layout {
		case Unified:
			res.Unified = maps.Clone(r.Unified)
		case Legacy:
			return nil, fmt.Errorf("linux.resources.unified: this host has no cgroup v2 hierarchy: %w", errdefs.ErrUnavailable)
		}
	}
	return res, nil
}

// convertBlockIO copies the block IO settings. They are v1 (blkio) fields;
// the fs2 manager converts them to io.* itself.
func convertBlockIO(b *specs.LinuxBlockIO, res *cgroups.Resources) {
	res.BlkioWeight = deref(b.Weight)
	res.BlkioLeafWeight = deref(b.LeafWeight)
	for _, d := range b.WeightDevice {
		res.BlkioWeightDevice = append(res.BlkioWeightDevice,
			cgroups.NewWeightDevice(d.Major, d.Minor, deref(d.Weight), deref(d.LeafWeight)))
	}
	throttle := func(list []specs.LinuxThrottleDevice) []*cgroups.ThrottleDevice {
		var out []*cgroups.ThrottleDevice
		for _, d := range list {
			out = append(out, cgroups.NewThrottleDevice(d.Major, d.Minor, d.Rate))
		}
		return out
	}
	res.BlkioThrottleReadBpsDevice = throttle(b.ThrottleReadBpsDevice)
	res.BlkioThrottleWriteBpsDevice = throttle(b.ThrottleWriteBpsDevice)
	res.BlkioThrottleReadIOPSDevice = throttle(b.ThrottleReadIOPSDevice)
	res.BlkioThrottleWriteIOPSDevice = throttle(b.ThrottleWriteIOPSDevice)
}

// toDeviceRule converts one spec device rule. A missing type, major or
// minor means "any", as in runc.
func toDeviceRule(d specs.LinuxDeviceCgroup) *devconfig.Rule {
	rule := &devconfig.Rule{
		Type:        devconfig.WildcardDevice,
		Major:       devconfig.Wildcard,
		Minor:       devconfig.Wildcard,
		Permissions: devconfig.Permissions(d.Access),
		Allow:       d.Allow,
	}
	if d.Type != "" {
		rule.Type = devconfig.Type(d.Type[0])
	}
	if d.Major != nil {
		rule.Major = *d.Major
	}
	if d.Minor != nil {
		rule.Minor = *d.Minor
	}
	return rule
}

// cpuWeight converts v1 cpu.shares [2, 262144] (default 1024) to v2
// cpu.weight [1, 10000] (default 100); 0 stays "unset".
//
// It uses the library's quadratic mapping, which runc (>= 1.3.2) and crun
// (>= 1.23) also use, rather than the older linear
// 1 + ((shares-2)*9999)/262142: the linear one sends the v1 default 1024 to
// weight 39 instead of the v2 default 100, so a container asking for
// "default" shares got 2.5x less CPU than its neighbours. Using the same
// mapping as runc also means a spec gives the same weight under either
// runtime.
func cpuWeight(shares uint64) uint64 {
	return cgroups.ConvertCPUSharesToCgroupV2Value(shares)
}
