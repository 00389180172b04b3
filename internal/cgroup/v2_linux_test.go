package cgroup

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// This host's cgroup2 hierarchy has only hugetlb, so the v2 path (the
// library's fs2 manager behind our Manager) is exercised on a fake cgroup2
// directory instead: cgroups.TestMode makes the library accept files that
// are not on cgroupfs, and create the ones it writes. What this cannot
// cover: Apply (the library refuses to create cgroups outside
// /sys/fs/cgroup), Destroy, device rules (an eBPF program attached to a
// cgroup directory) and whether a real kernel accepts the values.

// fakeV2 returns a v2 manager on a fake cgroup directory holding files.
// It turns the library's TestMode on for the test; such tests must not run
// in parallel with tests on the real cgroupfs.
func fakeV2(t *testing.T, files map[string]string) (*manager, string) {
	t.Helper()
	cgroups.TestMode = true
	t.Cleanup(func() { cgroups.TestMode = false })
	dir := fakeTree(t, files)
	m, err := newUnifiedAt(dir, &cgroups.Resources{})
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

func TestV2Set(t *testing.T) {
	m, dir := fakeV2(t, map[string]string{
		"cgroup.controllers": "cpuset cpu io memory hugetlb pids",
	})
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](96 << 20), Reservation: ptr[int64](32 << 20)},
		CPU: &specs.LinuxCPU{
			Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000),
			Cpus: "0", Mems: "0",
		},
		Pids:           &specs.LinuxPids{Limit: ptr[int64](20)},
		BlockIO:        &specs.LinuxBlockIO{Weight: ptr[uint16](500)},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
		Unified:        map[string]string{"memory.high": "50000000"},
	}
	// No device rules: Set leaves devices alone (no eBPF on a fake dir).
	if err := m.Set(r); err != nil {
		t.Fatalf("Set: %v", err)
	}
	for file, want := range map[string]string{
		"memory.max":      "67108864",
		"memory.swap.max": "33554432", // spec swap is memory+swap: 96 MiB - 64 MiB
		"memory.low":      "33554432",
		"cpu.weight":      strconv.FormatUint(cgroups.ConvertCPUSharesToCgroupV2Value(512), 10),
		"cpu.max":         "50000 100000",
		"cpuset.cpus":     "0",
		"cpuset.mems":     "0",
		"pids.max":        "20",
		"io.weight":       "4950", // 1 + (500-10)*9999/990
		"hugetlb.2MB.max": "4194304",
		"memory.high":     "50000000",
	} {
		if got := strings.TrimSpace(readFile(t, filepath.Join(dir, file))); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
}

// The v2 conversions at the edges: unlimited memory gives unlimited swap,
// swap equal to the limit disables swap, quota -1 is "max".
func TestV2SetEdges(t *testing.T) {
	tests := []struct {
		name string
		r    *specs.LinuxResources
		want map[string]string
	}{
		{"unlimited", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)},
			CPU:    &specs.LinuxCPU{Quota: ptr[int64](-1), Period: ptr[uint64](100000)},
			Pids:   &specs.LinuxPids{Limit: ptr[int64](-1)},
		}, map[string]string{"memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000", "pids.max": "max"}},
		{"no swap", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](16 << 20), Swap: ptr[int64](16 << 20)},
		}, map[string]string{"memory.max": "16777216", "memory.swap.max": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, dir := fakeV2(t, map[string]string{"cgroup.controllers": "cpu memory pids"})
			if err := m.Set(tt.r); err != nil {
				t.Fatalf("Set: %v", err)
			}
			for file, want := range tt.want {
				if got := strings.TrimSpace(readFile(t, filepath.Join(dir, file))); got != want {
					t.Errorf("%s = %q, want %q", file, got, want)
				}
			}
		})
	}
}

func TestV2ReadsAndFreezer(t *testing.T) {
	m, dir := fakeV2(t, map[string]string{
		"cgroup.controllers": "memory pids",
		"cgroup.procs":       "34\n12\n",
		"sub/cgroup.procs":   "56\n",
		"memory.events":      "low 0\nhigh 0\nmax 7\noom 3\noom_kill 2\n",
		"cgroup.freeze":      "0\n",
		"cgroup.events":      "populated 1\nfrozen 1\n", // what the kernel shows once frozen
	})
	if got := m.Paths(); !reflect.DeepEqual(got, map[string]string{"": dir}) {
		t.Errorf("Paths = %v, want only the unified dir %s", got, dir)
	}
	pids, err := m.Pids()
	if err != nil || !reflect.DeepEqual(pids, []int{12, 34, 56}) {
		t.Errorf("Pids = %v, %v; want [12 34 56] (sorted, sub-cgroups included)", pids, err)
	}
	if n, err := m.OOMKillCount(); err != nil || n != 2 {
		t.Errorf("OOMKillCount = %d, %v; want 2 from memory.events", n, err)
	}
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if got := readFile(t, filepath.Join(dir, "cgroup.freeze")); got != "1\n" {
		t.Errorf("cgroup.freeze after Freeze = %q", got)
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if got := readFile(t, filepath.Join(dir, "cgroup.freeze")); got != "0\n" {
		t.Errorf("cgroup.freeze after Thaw = %q", got)
	}
}
