package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// An update on cgroup v2 (fake tree): Set is given the merged resources,
// so a swap total is converted against the new memory limit, and a quota
// alone keeps the period.
func TestUpdateV2(t *testing.T) {
	m, dir := fakeV2(t, map[string]string{"cgroup.controllers": "cpuset cpu memory pids"})
	cur := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](96 << 20)},
		CPU:    &specs.LinuxCPU{Quota: ptr[int64](50000), Period: ptr[uint64](100000)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](20)},
	}
	if err := m.Set(cur); err != nil {
		t.Fatalf("Set: %v", err)
	}
	steps := []struct {
		name   string
		update *specs.LinuxResources
		want   map[string]string
	}{
		{"memory and swap", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](128 << 20), Swap: ptr[int64](256 << 20)},
			CPU:    &specs.LinuxCPU{Quota: ptr[int64](0), Period: ptr[uint64](0)}, // dockerd's zeros
		}, map[string]string{"memory.max": "134217728", "memory.swap.max": "134217728", "cpu.max": "50000 100000", "pids.max": "20"}},
		{"swap alone", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Swap: ptr[int64](192 << 20)},
		}, map[string]string{"memory.max": "134217728", "memory.swap.max": "67108864"}},
		{"quota alone", &specs.LinuxResources{
			CPU: &specs.LinuxCPU{Quota: ptr[int64](25000)},
		}, map[string]string{"cpu.max": "25000 100000"}},
		{"cpuset and pids", &specs.LinuxResources{
			CPU:  &specs.LinuxCPU{Cpus: "0", Mems: "0"},
			Pids: &specs.LinuxPids{Limit: ptr[int64](-1)},
		}, map[string]string{"cpuset.cpus": "0", "cpuset.mems": "0", "pids.max": "max", "cpu.max": "25000 100000"}},
		{"unlimited memory", &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)},
		}, map[string]string{"memory.max": "max", "memory.swap.max": "max"}},
	}
	for _, s := range steps {
		cur = Merge(cur, s.update)
		if err := m.Set(cur); err != nil {
			t.Fatalf("%s: Set: %v", s.name, err)
		}
		for file, want := range s.want {
			if got := strings.TrimSpace(readFile(t, filepath.Join(dir, file))); got != want {
				t.Errorf("%s: %s = %q, want %q", s.name, file, got, want)
			}
		}
	}
}

// An update on this host's v1 memory controller, where the order of the
// writes matters: the kernel refuses memory.limit_in_bytes above
// memory.memsw.limit_in_bytes and the other way round, so raising both
// must write swap first and lowering both memory first (the library does
// it by comparing with the current limit, as runc does).
func TestUpdateV1MemorySwapOrder(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		testutil.Missing(t, "checks v1 files")
	}
	cur := withDefaultDevices(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](128 << 20)},
		CPU:    &specs.LinuxCPU{Quota: ptr[int64](50000), Period: ptr[uint64](100000)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](20)},
	})
	m := newManager(t, testID(t), cur)
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	memDir := m.Paths()["memory"]
	if _, err := os.Stat(filepath.Join(memDir, "memory.memsw.limit_in_bytes")); err != nil {
		testutil.Missing(t, "needs swap accounting (memory.memsw.limit_in_bytes)")
	}
	check := func(step string, want map[string]string) {
		t.Helper()
		paths := m.Paths()
		for file, v := range want {
			controller, _, _ := strings.Cut(file, ".")
			if got := cgroupFile(t, paths[controller], file); got != v {
				t.Errorf("%s: %s = %s, want %s", step, file, got, v)
			}
		}
	}
	for _, s := range []struct {
		name        string
		limit, swap int64
	}{
		{"raise both above the current total", 256 << 20, 512 << 20},
		{"lower both below the current limit", 32 << 20, 48 << 20},
		{"raise memory to the current total, swap up", 48 << 20, 96 << 20},
	} {
		cur = Merge(cur, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &s.limit, Swap: &s.swap}})
		cur.Devices = nil // an update leaves device rules alone
		if err := m.Set(cur); err != nil {
			t.Fatalf("%s: Set: %v", s.name, err)
		}
		check(s.name, map[string]string{
			"memory.limit_in_bytes":       strconv.FormatInt(s.limit, 10),
			"memory.memsw.limit_in_bytes": strconv.FormatInt(s.swap, 10),
			"cpu.cfs_quota_us":            "50000",
			"pids.max":                    "20",
		})
	}
	// Memory above the current total, swap not named: refused before any
	// write, naming the field.
	bad := Merge(cur, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](512 << 20)}})
	err := m.Set(bad)
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "memory.swap") {
		t.Errorf("memory above memory+swap: Set = %v, want an invalid-argument error naming memory.swap", err)
	}
	check("after the refused update", map[string]string{"memory.limit_in_bytes": strconv.Itoa(48 << 20)})
	// A quota alone keeps the period.
	cur = Merge(cur, &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](20000)}})
	if err := m.Set(cur); err != nil {
		t.Fatalf("quota: Set: %v", err)
	}
	check("quota alone", map[string]string{"cpu.cfs_quota_us": "20000", "cpu.cfs_period_us": "100000"})
}

// A block I/O weight on a v1 host without weight files (no BFQ
// scheduler, as here) is refused with a message saying why, rather than
// the library's bare "no such file".
func TestUpdateV1BlkioWeightUnavailable(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		testutil.Missing(t, "checks v1 files")
	}
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{}))
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	dir := m.Paths()["blkio"]
	_, errW := os.Stat(filepath.Join(dir, "blkio.weight"))
	_, errB := os.Stat(filepath.Join(dir, "blkio.bfq.weight"))
	err := m.Set(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](300)}})
	if errW == nil || errB == nil {
		// A host with weights: the weight must be written.
		if err != nil {
			t.Fatalf("Set blkio weight on a host with weight files: %v", err)
		}
		return
	}
	if !errors.Is(err, errdefs.ErrUnavailable) || !strings.Contains(err.Error(), "blkio.bfq.weight") {
		t.Errorf("Set blkio weight without weight files = %v, want ErrUnavailable naming the missing files", err)
	}
}
