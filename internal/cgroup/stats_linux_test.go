package cgroup

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The v2 counters are read from a fake cgroup2 directory (this host's
// cgroup2 has no memory, cpu, io or pids controller), in the kernel's
// formats; the numbers are kept distinct so that a field read from the
// wrong place shows.
func TestV2Stats(t *testing.T) {
	m, _ := fakeV2(t, map[string]string{
		"cpu.stat": "usage_usec 2500\nuser_usec 1500\nsystem_usec 1000\n" +
			"nr_periods 7\nnr_throttled 3\nthrottled_usec 40\n",
		"memory.current":      "10485760\n",
		"memory.max":          "67108864\n",
		"memory.peak":         "20971520\n",
		"memory.swap.current": "0\n",
		"memory.swap.max":     "max\n",
		"memory.stat":         "anon 4096\nfile 8192\ninactive_file 2048\nactive_file 6144\n",
		"pids.current":        "5\n",
		"pids.max":            "40\n",
		"io.stat": "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n" +
			"253:1 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
	})
	st, err := m.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if want := (CPUStats{Total: 2500_000, User: 1500_000, System: 1000_000, Periods: 7, ThrottledPeriods: 3, ThrottledTime: 40_000}); st.CPU != want {
		t.Errorf("CPU = %+v, want %+v", st.CPU, want)
	}
	mem := st.Memory
	if mem.Usage != 10<<20 || mem.Limit != 64<<20 || mem.MaxUsage != 20<<20 {
		t.Errorf("memory usage/limit/max = %d/%d/%d, want %d/%d/%d", mem.Usage, mem.Limit, mem.MaxUsage, 10<<20, 64<<20, 20<<20)
	}
	if mem.Stats["inactive_file"] != 2048 || mem.Stats["anon"] != 4096 {
		t.Errorf("memory.stat = %v, want inactive_file 2048 and anon 4096", mem.Stats)
	}
	if st.Pids != (PidsStats{Current: 5, Limit: 40}) {
		t.Errorf("pids = %+v, want 5 of 40", st.Pids)
	}
	got := map[string]uint64{}
	for _, e := range st.BlockIO {
		got[fmt.Sprintf("%d:%d:%s", e.Major, e.Minor, e.Op)] = e.Value
	}
	want := map[string]uint64{"8:0:Read": 4096, "8:0:Write": 8192, "253:1:Read": 100, "253:1:Write": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("block I/O = %v, want %v", got, want)
	}

	usage, err := m.CPUUsage()
	if err != nil || usage != 2500_000 {
		t.Errorf("CPUUsage = %d, %v; want 2500000", usage, err)
	}
}

// A v2 cgroup without a memory limit reads "max": the limit is the
// largest number, which the container service replaces by the host's
// memory. Without the pids controller enabled, the tasks are counted
// from cgroup.procs.
func TestV2StatsNoLimits(t *testing.T) {
	m, _ := fakeV2(t, map[string]string{
		"cpu.stat":       "usage_usec 1\nuser_usec 1\nsystem_usec 0\n",
		"memory.current": "4096\n",
		"memory.max":     "max\n",
		"memory.stat":    "anon 4096\n",
		"cgroup.procs":   "12\n13\n14\n",
	})
	st, err := m.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Memory.Limit != math.MaxUint64 {
		t.Errorf("memory limit = %d, want MaxUint64 for max", st.Memory.Limit)
	}
	if st.Pids != (PidsStats{Current: 3}) {
		t.Errorf("pids = %+v, want 3 counted from cgroup.procs and no limit", st.Pids)
	}
}

func TestV2CPUUsageMalformed(t *testing.T) {
	for name, content := range map[string]string{
		"no usage_usec":  "user_usec 1\n",
		"not a number":   "usage_usec many\n",
		"negative value": "usage_usec -1\n",
	} {
		t.Run(name, func(t *testing.T) {
			m, _ := fakeV2(t, map[string]string{"cpu.stat": content})
			if n, err := m.CPUUsage(); err == nil {
				t.Errorf("CPUUsage of %q = %d, want an error", content, n)
			}
		})
	}
}

// On this host's v1 hierarchies: the counters of a real cgroup move with
// what its processes do.
func TestV1StatsMove(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		t.Skip("a v1 test; the cgroupv2 guest covers v2")
	}
	id := testID(t)
	m := newManager(t, id, withDefaultDevices(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](256 << 20)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](50)},
	}))
	// Three sleeps and a shell. dd's 16 MiB block is a buffer it
	// allocates and fills (peak memory), the loop burns CPU time.
	c := startChild(t, "sleep 600 & sleep 600 & sleep 600 & "+
		"dd if=/dev/zero of=/dev/null bs=16777216 count=20 2>/dev/null; "+
		"i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done; exec sleep 600")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	before, err := m.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	c.release(t)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(c.stdout.String(), "done") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	after, err := m.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if after.CPU.Total <= before.CPU.Total {
		t.Errorf("CPU time did not grow over a busy loop: %d then %d", before.CPU.Total, after.CPU.Total)
	}
	if after.Pids.Current != 4 || after.Pids.Limit != 50 {
		t.Errorf("pids = %+v, want 4 tasks (3 sleeps and the shell) of 50", after.Pids)
	}
	if after.Memory.Limit != 256<<20 {
		t.Errorf("memory limit = %d, want %d", after.Memory.Limit, 256<<20)
	}
	if after.Memory.MaxUsage < 16<<20 {
		t.Errorf("peak memory = %d, want at least the 16 MiB dd buffer", after.Memory.MaxUsage)
	}
	if _, ok := after.Memory.Stats["total_inactive_file"]; !ok {
		t.Errorf("memory.stat lacks total_inactive_file: %v", after.Memory.Stats)
	}
	usage, err := m.CPUUsage()
	if err != nil || usage < after.CPU.Total {
		t.Errorf("CPUUsage = %d, %v; want at least Stats' %d", usage, err, after.CPU.Total)
	}
}

// The library's refusal of a memory limit below the usage carries no
// errno; it is a conflict all the same.
func TestTagMemoryBusy(t *testing.T) {
	err := tag(fmt.Errorf("setting limits: %w", errors.New("unable to set memory limit to 16777216 (current usage: 42373120, peak usage: 43610112)")))
	if !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("tag = %v, not a conflict", err)
	}
}

// v1 lists every operation per device; Read and Write are kept (Total
// would count them twice, Sync and Async split them differently).
func TestFromLibStatsBlockIO(t *testing.T) {
	st := cgroups.NewStats()
	for _, op := range []string{"Read", "Write", "Sync", "Async", "Discard", "Total"} {
		st.BlkioStats.IoServiceBytesRecursive = append(st.BlkioStats.IoServiceBytesRecursive,
			cgroups.BlkioStatEntry{Major: 254, Minor: 0, Op: op, Value: uint64(len(op))})
	}
	got := fromLibStats(st).BlockIO
	want := []BlockIOEntry{{Major: 254, Op: "Read", Value: 4}, {Major: 254, Op: "Write", Value: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("block I/O = %+v, want %+v", got, want)
	}
}
