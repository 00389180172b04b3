package cgroup

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/opencontainers/cgroups"
	devconfig "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestToResources(t *testing.T) {
	tests := []struct {
		name   string
		layout Layout
		in     *specs.LinuxResources
		want   *cgroups.Resources
	}{
		{"nil gives empty", Legacy, nil, &cgroups.Resources{}},
		{"memory", Hybrid, &specs.LinuxResources{Memory: &specs.LinuxMemory{
			Limit: ptr[int64](64 << 20), Reservation: ptr[int64](32 << 20), Swap: ptr[int64](96 << 20),
			Kernel: ptr[int64](1 << 20), KernelTCP: ptr[int64](1 << 20), Swappiness: ptr[uint64](10),
			DisableOOMKiller: ptr(true), CheckBeforeUpdate: ptr(true),
		}}, &cgroups.Resources{
			Memory: 64 << 20, MemoryReservation: 32 << 20, MemorySwap: 96 << 20,
			MemorySwappiness: ptr[uint64](10), OomKillDisable: true, MemoryCheckBeforeUpdate: true,
		}},
		{"memory v2 keeps memory+swap for fs2 to subtract", Unified, &specs.LinuxResources{Memory: &specs.LinuxMemory{
			Limit: ptr[int64](64 << 20), Swap: ptr[int64](96 << 20),
		}}, &cgroups.Resources{Memory: 64 << 20, MemorySwap: 96 << 20}},
		{"cpu v1", Legacy, &specs.LinuxResources{CPU: &specs.LinuxCPU{
			Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Burst: ptr[uint64](1000),
			RealtimeRuntime: ptr[int64](950000), RealtimePeriod: ptr[uint64](1000000),
			Cpus: "0-1", Mems: "0", Idle: ptr[int64](1),
		}}, &cgroups.Resources{
			CpuShares: 512, CpuQuota: 50000, CpuPeriod: 100000, CpuBurst: ptr[uint64](1000),
			CpuRtRuntime: 950000, CpuRtPeriod: 1000000, CpusetCpus: "0-1", CpusetMems: "0", CPUIdle: ptr[int64](1),
		}},
		{"cpu v2 default shares give default weight", Unified, &specs.LinuxResources{CPU: &specs.LinuxCPU{
			Shares: ptr[uint64](1024), Quota: ptr[int64](50000), Period: ptr[uint64](100000),
		}}, &cgroups.Resources{CpuWeight: 100, CpuQuota: 50000, CpuPeriod: 100000}},
		{"cpu v2 minimum shares", Unified, &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](2)}},
			&cgroups.Resources{CpuWeight: 1}},
		{"cpu v2 maximum shares", Unified, &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](262144)}},
			&cgroups.Resources{CpuWeight: 10000}},
		{"cpu v2 unset shares", Unified, &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1"}},
			&cgroups.Resources{CpusetCpus: "1"}},
		{"pids", Legacy, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](20)}},
			&cgroups.Resources{PidsLimit: ptr[int64](20)}},
		{"pids without limit", Legacy, &specs.LinuxResources{Pids: &specs.LinuxPids{}},
			&cgroups.Resources{}},
		{"devices", Legacy, &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rw"},
			{Allow: true, Type: "b", Major: ptr[int64](8), Access: "m"},
		}}, &cgroups.Resources{Devices: []*devconfig.Rule{
			{Type: 'a', Major: -1, Minor: -1, Permissions: "rwm", Allow: false},
			{Type: 'c', Major: 1, Minor: 3, Permissions: "rw", Allow: true},
			{Type: 'b', Major: 8, Minor: -1, Permissions: "m", Allow: true},
		}}},
		{"block io", Legacy, &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
			Weight: ptr[uint16](500), LeafWeight: ptr[uint16](300),
			WeightDevice:          []specs.LinuxWeightDevice{weightDevice(8, 0, 200)},
			ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{throttle(8, 0, 1<<20)},
		}}, &cgroups.Resources{
			BlkioWeight: 500, BlkioLeafWeight: 300,
			BlkioWeightDevice:          []*cgroups.WeightDevice{cgroups.NewWeightDevice(8, 0, 200, 0)},
			BlkioThrottleReadBpsDevice: []*cgroups.ThrottleDevice{cgroups.NewThrottleDevice(8, 0, 1<<20)},
		}},
		{"hugepages", Hybrid, &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}},
			&cgroups.Resources{HugetlbLimit: []*cgroups.HugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}}},
		{"network", Legacy, &specs.LinuxResources{Network: &specs.LinuxNetwork{
			ClassID: ptr[uint32](0x100001), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}},
		}}, &cgroups.Resources{NetClsClassid: 0x100001, NetPrioIfpriomap: []*cgroups.IfPrioMap{{Interface: "eth0", Priority: 5}}}},
		{"rdma", Unified, &specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: ptr[uint32](3)}}},
			&cgroups.Resources{Rdma: map[string]cgroups.LinuxRdma{"mlx5_0": {HcaHandles: ptr[uint32](3)}}}},
		{"unified on v2", Unified, &specs.LinuxResources{Unified: map[string]string{"memory.high": "1000000"}},
			&cgroups.Resources{Unified: map[string]string{"memory.high": "1000000"}}},
		{"unified on hybrid is left to the manager", Hybrid, &specs.LinuxResources{Unified: map[string]string{"hugetlb.2MB.max": "0"}},
			&cgroups.Resources{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toResources(tt.in, tt.layout)
			if err != nil {
				t.Fatalf("toResources: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("toResources(%s) =\n%s\nwant\n%s", tt.layout, asJSON(t, got), asJSON(t, tt.want))
			}
		})
	}
}

func TestToResourcesUnifiedOnLegacy(t *testing.T) {
	_, err := toResources(&specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}}, Legacy)
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Errorf("toResources(unified, legacy): %v; want ErrUnavailable", err)
	}
}

// The converted default rules must be what the device emulator expects.
func TestDefaultDeviceRules(t *testing.T) {
	rules := DefaultDeviceRules()
	if err := Validate(&specs.LinuxResources{Devices: rules}); err != nil {
		t.Fatalf("default rules do not validate: %v", err)
	}
	res, err := toResources(&specs.LinuxResources{Devices: rules}, Legacy)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"c *:* m": true, "b *:* m": true, "c 1:3 rwm": true, "c 136:* rwm": true, "c 5:2 rwm": true}
	for _, r := range res.Devices {
		delete(want, r.CgroupString())
		if !r.Allow {
			t.Errorf("rule %q denies", r.CgroupString())
		}
	}
	if len(want) > 0 {
		t.Errorf("default rules miss %v", want)
	}
}

func weightDevice(major, minor int64, weight uint16) specs.LinuxWeightDevice {
	var d specs.LinuxWeightDevice
	d.Major, d.Minor, d.Weight = major, minor, &weight
	return d
}

func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
