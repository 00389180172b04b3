package docker

import (
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// toLimits maps the memory, CPU, block I/O and OOM fields of Docker's
// HostConfig that the container service honours (MemorySwap,
// MemoryReservation, MemorySwappiness, OomKillDisable, OomScoreAdj,
// CpuPeriod, CpuQuota, CpusetMems, BlkioWeight, BlkioDevice*, and
// CgroupParent and CgroupnsMode, which the request holds beside them)
// onto out.
// The service checks the values, with Docker's messages.
func toLimits(hc *container.HostConfig, req *api.ContainerCreate) error {
	r, out := hc.Resources, &req.Resources
	out.MemorySwap, out.MemoryReservation = r.MemorySwap, r.MemoryReservation
	if s := r.MemorySwappiness; s != nil && *s != -1 { // -1: the host's, as unset
		out.MemorySwappiness = s
	}
	out.OomKillDisable = r.OomKillDisable != nil && *r.OomKillDisable
	out.OomScoreAdj = hc.OomScoreAdj
	out.CPUPeriod, out.CPUQuota, out.CpusetMems = r.CPUPeriod, r.CPUQuota, r.CpusetMems
	out.BlkioWeight = r.BlkioWeight
	switch hc.CgroupnsMode {
	case "", container.CgroupnsModePrivate, container.CgroupnsModeHost:
		// The parent's own check (below the engine's cgroup root) is the
		// container service's, for both APIs.
		req.CgroupParent, req.CgroupnsMode = hc.CgroupParent, string(hc.CgroupnsMode)
		req.DeviceCgroupRules = hc.DeviceCgroupRules
	default:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.CgroupnsMode: invalid cgroup namespace mode %q: want private or host", hc.CgroupnsMode)
	}
	var err error
	for _, t := range []struct {
		field string
		in    []*blkiodev.ThrottleDevice
		out   *[]api.ThrottleDevice
	}{
		{"HostConfig.BlkioDeviceReadBps", r.BlkioDeviceReadBps, &out.BlkioDeviceReadBps},
		{"HostConfig.BlkioDeviceWriteBps", r.BlkioDeviceWriteBps, &out.BlkioDeviceWriteBps},
		{"HostConfig.BlkioDeviceReadIOps", r.BlkioDeviceReadIOps, &out.BlkioDeviceReadIOps},
		{"HostConfig.BlkioDeviceWriteIOps", r.BlkioDeviceWriteIOps, &out.BlkioDeviceWriteIOps},
	} {
		if *t.out, err = toThrottles(t.field, t.in); err != nil {
			return err
		}
	}
	return nil
}

// toThrottles maps one of Docker's throttle lists.
func toThrottles(field string, in []*blkiodev.ThrottleDevice) ([]api.ThrottleDevice, error) {
	var out []api.ThrottleDevice
	for i, d := range in {
		if d == nil || d.Path == "" {
			return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "%s: a device path is required", fmt.Sprintf("%s[%d].Path", field, i))
		}
		out = append(out, api.ThrottleDevice{Path: d.Path, Rate: d.Rate})
	}
	return out, nil
}

// limitsOf fills inspect's HostConfig fields of the same limits and the
// cgroup (the namespace private unless host, as the service makes it).
func limitsOf(cfg api.ContainerCreate, hc *container.HostConfig) {
	r := cfg.Resources
	hc.CgroupParent, hc.CgroupnsMode = cfg.CgroupParent, container.CgroupnsMode(cfg.CgroupnsMode)
	hc.DeviceCgroupRules = cfg.DeviceCgroupRules
	if hc.CgroupnsMode == "" {
		hc.CgroupnsMode = container.CgroupnsModePrivate
	}
	hc.MemorySwap, hc.MemoryReservation, hc.MemorySwappiness = r.MemorySwap, r.MemoryReservation, r.MemorySwappiness
	oomKillDisable := r.OomKillDisable
	hc.OomKillDisable = &oomKillDisable
	hc.OomScoreAdj = r.OomScoreAdj
	hc.CPUPeriod, hc.CPUQuota, hc.CpusetMems, hc.BlkioWeight = r.CPUPeriod, r.CPUQuota, r.CpusetMems, r.BlkioWeight
	throttles := func(in []api.ThrottleDevice) []*blkiodev.ThrottleDevice {
		out := []*blkiodev.ThrottleDevice{}
		for _, d := range in {
			out = append(out, &blkiodev.ThrottleDevice{Path: d.Path, Rate: d.Rate})
		}
		return out
	}
	hc.BlkioDeviceReadBps, hc.BlkioDeviceWriteBps = throttles(r.BlkioDeviceReadBps), throttles(r.BlkioDeviceWriteBps)
	hc.BlkioDeviceReadIOps, hc.BlkioDeviceWriteIOps = throttles(r.BlkioDeviceReadIOps), throttles(r.BlkioDeviceWriteIOps)
}

// toNames maps Config.Domainname, Config.ExposedPorts and HostConfig's
// DnsSearch and DnsOptions (the service checks them).
func toNames(cfg *container.Config, hc *container.HostConfig, out *api.ContainerCreate) {
	out.Domainname = cfg.Domainname
	out.DNSSearch, out.DNSOptions = hc.DNSSearch, hc.DNSOptions
	for p := range cfg.ExposedPorts {
		out.ExposedPorts = append(out.ExposedPorts, fmt.Sprintf("%d/%s", p.Num(), p.Proto()))
	}
	slices.Sort(out.ExposedPorts)
}

// namesOf fills inspect's fields of the same settings.
func namesOf(cfg api.ContainerCreate, c *container.Config, hc *container.HostConfig) {
	c.Domainname = cfg.Domainname
	hc.DNSSearch, hc.DNSOptions = cfg.DNSSearch, cfg.DNSOptions
	for _, s := range cfg.ExposedPorts {
		if p, err := network.ParsePort(s); err == nil {
			if c.ExposedPorts == nil {
				c.ExposedPorts = network.PortSet{}
			}
			c.ExposedPorts[p] = struct{}{}
		}
	}
}

// refuseInUpdate refuses the limits a create honours but an update does
// not change (the container service's update knows memory, swap, CPUs,
// shares, cpuset CPUs and pids): a limit silently kept at its old value
// is one the operator believes changed.
func refuseInUpdate(r container.Resources) error {
	for _, c := range []struct {
		field string
		set   bool
	}{
		{"HostConfig.BlkioWeight", r.BlkioWeight != 0},
		{"HostConfig.BlkioDeviceReadBps", len(r.BlkioDeviceReadBps) > 0},
		{"HostConfig.BlkioDeviceWriteBps", len(r.BlkioDeviceWriteBps) > 0},
		{"HostConfig.BlkioDeviceReadIOps", len(r.BlkioDeviceReadIOps) > 0},
		{"HostConfig.BlkioDeviceWriteIOps", len(r.BlkioDeviceWriteIOps) > 0},
		{"HostConfig.CpusetMems", r.CpusetMems != ""},
		{"HostConfig.MemoryReservation", r.MemoryReservation != 0},
		{"HostConfig.MemorySwappiness", r.MemorySwappiness != nil && *r.MemorySwappiness != -1},
		{"HostConfig.OomKillDisable", r.OomKillDisable != nil && *r.OomKillDisable},
		{"HostConfig.CpuPeriod", r.CPUPeriod != 0 && r.CPUQuota == 0},
	} {
		if c.set {
			return unsupported(c.field, "changing this limit with an update")
		}
	}
	return nil
}

// quotaNanoCPUs is a CFS quota (with its period, 100 ms if none) as CPUs
// × 1e9, which is how an update changes the CPU limit.
func quotaNanoCPUs(quota, period int64) int64 {
	if period == 0 {
		period = 100000
	}
	return quota * 1e9 / period
}
