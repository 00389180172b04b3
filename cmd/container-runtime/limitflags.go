package main

import (
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// limitFlags are the run/create flags of Docker's HostConfig that set
// memory, CPU, block I/O and OOM limits beyond --memory, --cpus,
// --cpu-shares, --cpuset-cpus and --pids-limit, and the container's
// cgroup (--cgroup-parent, --cgroupns). The parsers check the
// syntax with Docker's CLI messages; the daemon checks the values against
// each other and the host (Docker's daemon messages).
type limitFlags struct {
	memorySwap        string
	memoryReservation string
	memorySwappiness  int64
	oomKillDisable    bool
	oomScoreAdj       int
	cpuPeriod         int64
	cpuQuota          int64
	cpusetMems        string
	blkioWeight       uint16
	readBps           []string
	writeBps          []string
	readIOps          []string
	writeIOps         []string
	cgroupParent      string
	cgroupns          string
	deviceRules       []string
}

// addFlags registers the flags on fs.
func (l *limitFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&l.memorySwap, "memory-swap", "", "memory plus swap limit (e.g. 1g; -1: unlimited swap; default twice --memory)")
	fs.StringVar(&l.memoryReservation, "memory-reservation", "", "memory soft limit (e.g. 256m)")
	fs.Int64Var(&l.memorySwappiness, "memory-swappiness", -1, "swappiness of the container's memory, 0 to 100 (-1: the host's)")
	fs.BoolVar(&l.oomKillDisable, "oom-kill-disable", false, "disable the OOM killer for the container")
	fs.IntVar(&l.oomScoreAdj, "oom-score-adj", 0, "the container's OOM score adjustment (-1000 to 1000)")
	fs.Int64Var(&l.cpuPeriod, "cpu-period", 0, "CFS period in microseconds (not with --cpus)")
	fs.Int64Var(&l.cpuQuota, "cpu-quota", 0, "CFS quota in microseconds per period (not with --cpus)")
	fs.StringVar(&l.cpusetMems, "cpuset-mems", "", "memory nodes the container may use (0-3, 0,1)")
	fs.Uint16Var(&l.blkioWeight, "blkio-weight", 0, "block I/O weight, 10 to 1000 (0: none)")
	fs.StringArrayVar(&l.readBps, "device-read-bps", nil, "limit reads from a block device: PATH:RATE (e.g. /dev/vda:1mb)")
	fs.StringArrayVar(&l.writeBps, "device-write-bps", nil, "limit writes to a block device: PATH:RATE (e.g. /dev/vda:1mb)")
	fs.StringArrayVar(&l.readIOps, "device-read-iops", nil, "limit read operations on a block device: PATH:NUMBER per second")
	fs.StringArrayVar(&l.writeIOps, "device-write-iops", nil, "limit write operations on a block device: PATH:NUMBER per second")
	fs.StringVar(&l.cgroupParent, "cgroup-parent", "", "cgroup below the engine's cgroup root to put the container's cgroup in (e.g. web/backend)")
	fs.StringVar(&l.cgroupns, "cgroupns", "", "cgroup namespace: private (the default) or host")
	fs.StringArrayVar(&l.deviceRules, "device-cgroup-rule", nil, "allow devices in the device cgroup: 'TYPE MAJOR:MINOR ACCESS' (e.g. 'c 1:3 rwm'; * for any number)")
}

// apply fills req's fields from the flags.
func (l *limitFlags) apply(req *api.ContainerCreate) error {
	req.CgroupParent, req.CgroupnsMode, req.DeviceCgroupRules = l.cgroupParent, l.cgroupns, l.deviceRules
	r := &req.Resources
	switch l.memorySwap {
	case "":
	case "-1":
		r.MemorySwap = -1
	default:
		n, err := units.RAMInBytes(l.memorySwap)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --memory-swap %q: want a size such as 1g, or -1", l.memorySwap)
		}
		r.MemorySwap = n
	}
	if l.memoryReservation != "" {
		n, err := units.RAMInBytes(l.memoryReservation)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --memory-reservation %q: want a size such as 256m", l.memoryReservation)
		}
		r.MemoryReservation = n
	}
	if l.memorySwappiness != -1 {
		s := l.memorySwappiness
		r.MemorySwappiness = &s
	}
	r.OomKillDisable, r.OomScoreAdj = l.oomKillDisable, l.oomScoreAdj
	r.CPUPeriod, r.CPUQuota, r.CpusetMems, r.BlkioWeight = l.cpuPeriod, l.cpuQuota, l.cpusetMems, l.blkioWeight
	for _, t := range []struct {
		specs []string
		iops  bool
		out   *[]api.ThrottleDevice
	}{
		{l.readBps, false, &r.BlkioDeviceReadBps},
		{l.writeBps, false, &r.BlkioDeviceWriteBps},
		{l.readIOps, true, &r.BlkioDeviceReadIOps},
		{l.writeIOps, true, &r.BlkioDeviceWriteIOps},
	} {
		for _, s := range t.specs {
			d, perr := parseThrottle(s, t.iops)
			if perr != nil {
				return perr
			}
			*t.out = append(*t.out, d)
		}
	}
	return nil
}

// parseThrottle parses PATH:RATE of --device-{read,write}-{bps,iops}, as
// Docker's CLI: the path under /dev/, a rate in bytes (with a unit: kb,
// mb, gb) or, for iops, a plain number.
func parseThrottle(s string, iops bool) (api.ThrottleDevice, error) {
	path, rate, ok := strings.Cut(s, ":")
	if !ok || path == "" {
		return api.ThrottleDevice{}, fmt.Errorf("bad format: %s", s)
	}
	if !strings.HasPrefix(path, "/dev/") {
		return api.ThrottleDevice{}, fmt.Errorf("bad format for device path: %s", s)
	}
	if iops {
		n, err := strconv.ParseUint(rate, 10, 64)
		if err != nil {
			return api.ThrottleDevice{}, fmt.Errorf("invalid rate for device: %s. The correct format is <device-path>:<number>. Number must be a positive integer", s)
		}
		return api.ThrottleDevice{Path: path, Rate: n}, nil
	}
	n, err := units.RAMInBytes(rate)
	if err != nil || n < 0 {
		return api.ThrottleDevice{}, fmt.Errorf("invalid rate for device: %s. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb", s)
	}
	return api.ThrottleDevice{Path: path, Rate: uint64(n)}, nil
}
