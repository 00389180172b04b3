package main

import "github.com/container-runtime/container-runtime/api"

// limitsView are Docker's HostConfig fields of the run flags of
// limitflags.go, under Docker's names (CpuPeriod, BlkioDeviceReadBps with
// {Path, Rate}, ...). It is embedded in hostConfigView, so that its fields
// are HostConfig's own in JSON and templates ({{.HostConfig.MemorySwap}}).
type limitsView struct {
	MemorySwap           int64
	MemoryReservation    int64
	MemorySwappiness     *int64
	OomKillDisable       bool
	OomScoreAdj          int
	CpuPeriod            int64 //nolint:revive // Docker's name, read by templates as {{.HostConfig.CpuPeriod}}
	CpuQuota             int64 //nolint:revive // Docker's name
	CpusetMems           string
	BlkioWeight          uint16
	BlkioDeviceReadBps   []throttleView
	BlkioDeviceWriteBps  []throttleView
	BlkioDeviceReadIOps  []throttleView
	BlkioDeviceWriteIOps []throttleView
	CgroupParent         string
	CgroupnsMode         string
	DeviceCgroupRules    []string
}

type throttleView struct {
	Path string
	Rate uint64
}

// newLimitsView shows cfg's limits and cgroup as Docker's inspect does
// (the throttle lists [] when empty, the cgroup namespace private).
func newLimitsView(cfg api.ContainerCreate) limitsView {
	r := cfg.Resources
	throttles := func(in []api.ThrottleDevice) []throttleView {
		out := []throttleView{}
		for _, d := range in {
			out = append(out, throttleView{Path: d.Path, Rate: d.Rate})
		}
		return out
	}
	return limitsView{
		MemorySwap: r.MemorySwap, MemoryReservation: r.MemoryReservation, MemorySwappiness: r.MemorySwappiness,
		OomKillDisable: r.OomKillDisable, OomScoreAdj: r.OomScoreAdj,
		CpuPeriod: r.CPUPeriod, CpuQuota: r.CPUQuota, CpusetMems: r.CpusetMems, BlkioWeight: r.BlkioWeight,
		BlkioDeviceReadBps: throttles(r.BlkioDeviceReadBps), BlkioDeviceWriteBps: throttles(r.BlkioDeviceWriteBps),
		BlkioDeviceReadIOps: throttles(r.BlkioDeviceReadIOps), BlkioDeviceWriteIOps: throttles(r.BlkioDeviceWriteIOps),
		CgroupParent: cfg.CgroupParent, CgroupnsMode: orDefault(cfg.CgroupnsMode, "private"),
		DeviceCgroupRules: cfg.DeviceCgroupRules,
	}
}

// portSet is Docker's Config.ExposedPorts of a "PORT/PROTO" list (nil
// when empty, which the view leaves out).
func portSet(ports []string) map[string]struct{} {
	if len(ports) == 0 {
		return nil
	}
	out := make(map[string]struct{}, len(ports))
	for _, p := range ports {
		out[p] = struct{}{}
	}
	return out
}
