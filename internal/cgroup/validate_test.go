package cgroup

import (
	"errors"
	"math"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func ptr[T any](v T) *T { return &v }

// throttle builds a spec throttle rule (its device fields sit in an
// unexported embedded struct, so no literal can set them).
func throttle(major, minor int64, rate uint64) specs.LinuxThrottleDevice {
	var d specs.LinuxThrottleDevice
	d.Major, d.Minor, d.Rate = major, minor, rate
	return d
}

// goodResources is a spec with every kind of limit set to a valid value.
func goodResources() *specs.LinuxResources {
	return &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rw"},
		},
		Memory: &specs.LinuxMemory{
			Limit: ptr[int64](64 << 20), Reservation: ptr[int64](32 << 20), Swap: ptr[int64](128 << 20),
			Kernel: ptr[int64](-5), Swappiness: ptr[uint64](60), DisableOOMKiller: ptr(true),
		},
		CPU: &specs.LinuxCPU{
			Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000),
			Burst: ptr[uint64](10000), RealtimeRuntime: ptr[int64](950000), RealtimePeriod: ptr[uint64](1000000),
			Cpus: "0-1,3", Mems: "0", Idle: ptr[int64](1),
		},
		Pids:           &specs.LinuxPids{Limit: ptr[int64](-1)},
		BlockIO:        &specs.LinuxBlockIO{Weight: ptr[uint16](500)},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 21}, {Pagesize: "1GB"}},
		Unified:        map[string]string{"memory.high": "max", "cgroup.freeze": "0"},
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		r    *specs.LinuxResources
	}{
		{"nil", nil},
		{"empty", &specs.LinuxResources{}},
		{"everything", goodResources()},
		{"unlimited", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](-1), Swap: ptr[int64](-1), Swappiness: ptr[uint64](math.MaxUint64)},
			CPU:    &specs.LinuxCPU{Quota: ptr[int64](-1)},
		}},
		{"zero means unset", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](0)},
			CPU:    &specs.LinuxCPU{Shares: ptr[uint64](0), Quota: ptr[int64](0), Period: ptr[uint64](0)},
			Pids:   &specs.LinuxPids{Limit: ptr[int64](0)},
		}},
		{"quota without period (the cgroup's period applies)", &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](50000)}}},
		{"swap equal to limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](16 << 20), Swap: ptr[int64](16 << 20)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.r); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		r    *specs.LinuxResources
		want string // the error must contain it
	}{
		{"negative memory limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-5)}},
			"linux.resources.memory.limit: -5 is negative"},
		{"tiny memory limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](4096)}},
			"linux.resources.memory.limit: 4096 is below the minimum"},
		{"negative reservation", &specs.LinuxResources{Memory: &specs.LinuxMemory{Reservation: ptr[int64](-2)}},
			"linux.resources.memory.reservation: -2 is negative"},
		{"reservation above limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](8 << 20), Reservation: ptr[int64](16 << 20)}},
			"linux.resources.memory.reservation: 16777216 exceeds memory.limit"},
		{"swap below limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](16 << 20), Swap: ptr[int64](8 << 20)}},
			"linux.resources.memory.swap: 8388608 is below memory.limit"},
		{"swap without limit", &specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr[int64](8 << 20)}},
			"linux.resources.memory.swap: 8388608 set without a memory.limit"},
		{"swappiness", &specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr[uint64](101)}},
			"linux.resources.memory.swappiness: 101 is out of range"},
		{"shares too small", &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](1)}},
			"linux.resources.cpu.shares: 1 is out of range 2-262144"},
		{"shares too large", &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](262145)}},
			"linux.resources.cpu.shares: 262145 is out of range"},
		{"negative quota", &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](-7)}},
			"linux.resources.cpu.quota: -7 is negative"},
		{"tiny quota", &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](10), Period: ptr[uint64](100000)}},
			"linux.resources.cpu.quota: 10 is below the minimum"},
		{"period too long", &specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr[uint64](2000000)}},
			"linux.resources.cpu.period: 2000000 is out of range"},
		{"burst above quota", &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](5000), Period: ptr[uint64](100000), Burst: ptr[uint64](6000)}},
			"linux.resources.cpu.burst: 6000 exceeds cpu.quota"},
		{"rt runtime above period", &specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr[int64](2000), RealtimePeriod: ptr[uint64](1000)}},
			"linux.resources.cpu.realtimeRuntime: 2000 exceeds"},
		{"cpuset letters", &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-a"}},
			`linux.resources.cpu.cpus: "0-a"`},
		{"cpuset reversed", &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "3-1"}},
			`linux.resources.cpu.cpus: "3-1": range "3-1" is reversed`},
		{"cpuset empty item", &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0,,1"}},
			`linux.resources.cpu.cpus: "0,,1"`},
		{"cpuset huge", &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-99999"}},
			`linux.resources.cpu.cpus: "0-99999"`},
		{"mems syntax", &specs.LinuxResources{CPU: &specs.LinuxCPU{Mems: "0 1"}},
			`linux.resources.cpu.mems: "0 1"`},
		{"idle", &specs.LinuxResources{CPU: &specs.LinuxCPU{Idle: ptr[int64](2)}},
			"linux.resources.cpu.idle: 2 is neither 0 nor 1"},
		{"pids below -1", &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](-2)}},
			"linux.resources.pids.limit: -2 is negative"},
		{"blkio weight", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](5)}},
			"linux.resources.blockIO.weight: 5 is out of range 10-1000"},
		{"blkio device weight", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{Weight: ptr[uint16](2000)}}}},
			"linux.resources.blockIO.weightDevice[0].weight: 2000"},
		{"throttle negative major", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{throttle(8, 0, 1), throttle(-1, 0, 1)}}},
			"linux.resources.blockIO.throttleWriteIOPSDevice[1]: device -1:0 has a negative number"},
		{"hugepage size", &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2M"}}},
			`linux.resources.hugepageLimits[0].pageSize: "2M"`},
		{"hugepage twice", &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB"}, {Pagesize: "2MB"}}},
			`linux.resources.hugepageLimits[1].pageSize: "2MB" is listed twice`},
		{"device type", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "p", Access: "r"}}},
			`linux.resources.devices[0].type: "p"`},
		{"device access", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rx"}}},
			`linux.resources.devices[0].access: "rx"`},
		{"device empty access", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true}}},
			`linux.resources.devices[0].access: ""`},
		{"device major", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "c", Major: ptr[int64](-3), Access: "r"}}},
			"linux.resources.devices[0].major: -3 is negative"},
		{"unified path", &specs.LinuxResources{Unified: map[string]string{"../memory.max": "1"}},
			`linux.resources.unified["../memory.max"]: must be a file name`},
		{"unified no dot", &specs.LinuxResources{Unified: map[string]string{"memory": "1"}},
			`linux.resources.unified["memory"]: must have the form`},
		{"network priority name", &specs.LinuxResources{Network: &specs.LinuxNetwork{Priorities: []specs.LinuxInterfacePriority{{Priority: 1}}}},
			"linux.resources.network.priorities[0].name: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.r)
			if err == nil {
				t.Fatalf("Validate accepted it; want an error containing %q", tt.want)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("Validate: %v; want it to wrap ErrInvalidArgument", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

// Every problem is reported, not only the first.
func TestValidateReportsAll(t *testing.T) {
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](-5)},
		CPU:    &specs.LinuxCPU{Shares: ptr[uint64](1)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](-9)},
	}
	err := Validate(r)
	for _, field := range []string{"memory.limit", "cpu.shares", "pids.limit"} {
		if err == nil || !strings.Contains(err.Error(), "linux.resources."+field) {
			t.Errorf("Validate: %v; want it to name %s", err, field)
		}
	}
}
