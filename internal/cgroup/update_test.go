package cgroup

import (
	"encoding/json"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMergeUpdate(t *testing.T) {
	current := func() *specs.LinuxResources {
		return &specs.LinuxResources{
			Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			Memory:  &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](128 << 20)},
			CPU:     &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0"},
			Pids:    &specs.LinuxPids{Limit: ptr[int64](20)},
			HugepageLimits: []specs.LinuxHugepageLimit{
				{Pagesize: "2MB", Limit: 2 << 20},
			},
			Unified: map[string]string{"memory.high": "1000000"},
		}
	}
	tests := []struct {
		name   string
		update *specs.LinuxResources
		want   func(r *specs.LinuxResources)
	}{
		{"nil changes nothing", nil, func(*specs.LinuxResources) {}},
		{
			// What dockerd sends for `docker update -m 128m --memory-swap 256m`:
			// zero quota and period, which mean "leave".
			"docker memory update",
			&specs.LinuxResources{
				Memory: &specs.LinuxMemory{Limit: ptr[int64](128 << 20), Swap: ptr[int64](256 << 20)},
				CPU:    &specs.LinuxCPU{Quota: ptr[int64](0), Period: ptr[uint64](0)},
			},
			func(r *specs.LinuxResources) {
				r.Memory.Limit, r.Memory.Swap = ptr[int64](128<<20), ptr[int64](256<<20)
			},
		},
		{
			"quota alone keeps the period",
			&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](20000)}},
			func(r *specs.LinuxResources) { r.CPU.Quota = ptr[int64](20000) },
		},
		{
			"period alone keeps the quota",
			&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr[uint64](200000)}},
			func(r *specs.LinuxResources) { r.CPU.Period = ptr[uint64](200000) },
		},
		{
			"unlimited memory lifts the swap limit",
			&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)}},
			func(r *specs.LinuxResources) { r.Memory.Limit, r.Memory.Swap = ptr[int64](-1), ptr[int64](-1) },
		},
		{
			"zeros and empty lists leave values",
			&specs.LinuxResources{
				Memory: &specs.LinuxMemory{Limit: ptr[int64](0), Reservation: ptr[int64](0)},
				CPU:    &specs.LinuxCPU{Shares: ptr[uint64](0), Cpus: ""},
				Pids:   &specs.LinuxPids{Limit: ptr[int64](0)},
			},
			func(*specs.LinuxResources) {},
		},
		{
			"cpuset, pids, shares, blkio weight",
			&specs.LinuxResources{
				CPU:     &specs.LinuxCPU{Shares: ptr[uint64](1024), Cpus: "0-1", Mems: "0"},
				Pids:    &specs.LinuxPids{Limit: ptr[int64](-1)},
				BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](300)},
			},
			func(r *specs.LinuxResources) {
				r.CPU.Shares, r.CPU.Cpus, r.CPU.Mems = ptr[uint64](1024), "0-1", "0"
				r.Pids.Limit = ptr[int64](-1)
				r.BlockIO = &specs.LinuxBlockIO{Weight: ptr[uint16](300)}
			},
		},
		{
			// containerd's CRI sends the whole linux.resources: its device
			// rules must not replace the container's.
			"devices are not updatable",
			&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}},
			func(*specs.LinuxResources) {},
		},
		{
			"hugepages and unified entries by key",
			&specs.LinuxResources{
				HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}, {Pagesize: "1GB", Limit: 1 << 30}},
				Unified:        map[string]string{"memory.high": "2000000", "pids.max": "9"},
			},
			func(r *specs.LinuxResources) {
				r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}, {Pagesize: "1GB", Limit: 1 << 30}}
				r.Unified = map[string]string{"memory.high": "2000000", "pids.max": "9"}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := current()
			want := current()
			tc.want(want)
			got := Merge(cur, tc.update)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Merge =\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, want))
			}
			if !reflect.DeepEqual(cur, current()) {
				t.Errorf("Merge modified current: %s", jsonOf(t, cur))
			}
			// The result shares nothing with current.
			*got.Memory.Limit, got.CPU.Cpus, got.Unified["x.y"] = 1, "7", "z"
			got.HugepageLimits[0].Limit = 1
			if !reflect.DeepEqual(cur, current()) {
				t.Errorf("changing Merge's result changed current: %s", jsonOf(t, cur))
			}
		})
	}
}

// A merged update is checked as a whole: a memory limit above the current
// swap total is refused, and naming both fixes it.
func TestMergeThenValidate(t *testing.T) {
	cur := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](128 << 20)}}
	if err := Validate(Merge(cur, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](256 << 20)}})); err == nil {
		t.Error("memory above the current memory+swap total was accepted")
	}
	if err := Validate(Merge(cur, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](256 << 20), Swap: ptr[int64](512 << 20)}})); err != nil {
		t.Errorf("raising memory and swap together: %v", err)
	}
	if err := Validate(Merge(cur, &specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr[int64](96 << 20)}})); err != nil {
		t.Errorf("swap alone, above the current limit: %v", err)
	}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
