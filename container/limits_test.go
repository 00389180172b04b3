package container

import (
	"errors"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestCheckLimitsRefuses: Docker's daemon refusals, with its messages.
func TestCheckLimitsRefuses(t *testing.T) {
	for _, tc := range []struct {
		r    api.Resources
		want string
	}{
		{api.Resources{MemorySwap: 1 << 30}, "You should always set the Memory limit when using Memoryswap limit"},
		{api.Resources{Memory: 1 << 30, MemorySwap: 1 << 20}, "Minimum memoryswap limit should be larger than memory limit"},
		{api.Resources{Memory: 1 << 30, MemorySwap: -2}, "invalid memory-swap limit -2"},
		{api.Resources{MemorySwappiness: ptr[int64](101)}, "Invalid value: 101, valid memory swappiness range is 0-100"},
		{api.Resources{MemoryReservation: 1 << 20}, "Minimum memory reservation allowed is 6MB"},
		{api.Resources{Memory: 64 << 20, MemoryReservation: 128 << 20}, "Minimum memory limit can not be less than memory reservation limit"},
		{api.Resources{OomScoreAdj: 1001}, "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
		{api.Resources{OomScoreAdj: -1001}, "Invalid value -1001, range for oom score adj is [-1000, 1000]"},
		{api.Resources{NanoCPUs: 1e9, CPUPeriod: 50000}, "Conflicting options: Nano CPUs and CPU Period cannot both be set"},
		{api.Resources{NanoCPUs: 1e9, CPUQuota: 50000}, "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
		{api.Resources{CPUPeriod: 999}, "CPU cfs period can not be less than 1ms"},
		{api.Resources{CPUPeriod: 1000001}, "CPU cfs period can not be less than 1ms"},
		{api.Resources{CPUQuota: 999}, "CPU cfs quota can not be less than 1ms"},
		{api.Resources{BlkioWeight: 9}, "Range of blkio weight is from 10 to 1000"},
		{api.Resources{BlkioWeight: 1001}, "Range of blkio weight is from 10 to 1000"},
		{api.Resources{CpusetMems: "x"}, "Invalid value x for cpuset mems"},
		{api.Resources{CpusetMems: "0-1000"}, "Requested memory nodes are not available - requested 0-1000"},
	} {
		r := tc.r
		_, err := checkLimits(&r)
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q (ErrInvalidArgument)", tc.r, err, tc.want)
		}
	}
}

// TestCheckLimitsDefaults: memory+swap defaults to twice the memory, as
// Docker records it; -1 and an explicit value stay.
func TestCheckLimitsDefaults(t *testing.T) {
	for _, tc := range []struct{ memory, swap, want int64 }{
		{64 << 20, 0, 128 << 20}, {64 << 20, -1, -1}, {64 << 20, 96 << 20, 96 << 20}, {0, 0, 0}, {0, -1, -1},
	} {
		if tc.want != 0 && !swapLimitSupported() {
			tc.want = -1 // a host without swap accounting: dropped with Docker's warning
		}
		r := api.Resources{Memory: tc.memory, MemorySwap: tc.swap}
		if _, err := checkLimits(&r); err != nil || r.MemorySwap != tc.want {
			t.Errorf("memory %d swap %d: got swap %d (%v), want %d", tc.memory, tc.swap, r.MemorySwap, err, tc.want)
		}
	}
	r := api.Resources{OomKillDisable: true}
	if w, err := checkLimits(&r); err != nil || len(w) != 1 || w[0] != warnOOMNoMemory {
		t.Errorf("--oom-kill-disable without --memory: warnings %q, %v", w, err)
	}
}

// TestApplyLimits: each setting lands in the spec's field the runtime
// writes to the cgroup (or oom_score_adj).
func TestApplyLimits(t *testing.T) {
	spec := &specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{Resources: &specs.LinuxResources{}}}
	r := api.Resources{Memory: 64 << 20, MemorySwap: 128 << 20, MemoryReservation: 32 << 20, MemorySwappiness: ptr[int64](0),
		OomKillDisable: true, OomScoreAdj: 300, CPUPeriod: 50000, CPUQuota: 20000, CpusetMems: "0"}
	if err := applyResources(spec, r); err != nil {
		t.Fatal(err)
	}
	m, c := spec.Linux.Resources.Memory, spec.Linux.Resources.CPU
	if *m.Limit != 64<<20 || *m.Swap != 128<<20 || *m.Reservation != 32<<20 || *m.Swappiness != 0 || !*m.DisableOOMKiller {
		t.Errorf("memory: %+v", m)
	}
	if *c.Period != 50000 || *c.Quota != 20000 || c.Mems != "0" {
		t.Errorf("cpu: %+v", c)
	}
	if *spec.Process.OOMScoreAdj != 300 {
		t.Errorf("oom score adj: %d", *spec.Process.OOMScoreAdj)
	}
	if err := applyResources(spec, api.Resources{BlkioDeviceReadBps: []api.ThrottleDevice{{Path: "/etc/hostname", Rate: 1}}}); err == nil ||
		!strings.Contains(err.Error(), "not a block device") {
		t.Errorf("a throttle on a file: %v", err)
	}
}
