package cgroup

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opencontainers/cgroups"
)

// statsControllers are the controllers Stats reads: hugetlb, rdma, misc
// and cpuset counters are not shown by `stats`, and leaving them out
// saves a dozen file reads per sample.
const statsControllers = cgroups.CPU | cgroups.Memory | cgroups.Pids | cgroups.IO

func (m *manager) Stats() (*Stats, error) {
	st, err := m.lib.Stats(&cgroups.StatsOptions{Controllers: statsControllers})
	if err != nil {
		return nil, fmt.Errorf("reading the usage of cgroup %s: %w", m.name, tag(err))
	}
	return fromLibStats(st), nil
}

// fromLibStats keeps what Stats reports of the library's reading. The
// library already maps v2's names to v1's: io.stat's rbytes and wbytes
// become "Read" and "Write" service bytes, cpu.stat's microseconds
// nanoseconds.
func fromLibStats(st *cgroups.Stats) *Stats {
	cpu := st.CpuStats
	mem := st.MemoryStats
	out := &Stats{
		CPU: CPUStats{
			Total: cpu.CpuUsage.TotalUsage, User: cpu.CpuUsage.UsageInUsermode, System: cpu.CpuUsage.UsageInKernelmode,
			Periods: cpu.ThrottlingData.Periods, ThrottledPeriods: cpu.ThrottlingData.ThrottledPeriods,
			ThrottledTime: cpu.ThrottlingData.ThrottledTime,
		},
		Memory: MemoryStats{
			Usage: mem.Usage.Usage, MaxUsage: mem.Usage.MaxUsage, Limit: mem.Usage.Limit,
			Failcnt: mem.Usage.Failcnt, Stats: mem.Stats,
		},
		Pids: PidsStats{Current: st.PidsStats.Current, Limit: st.PidsStats.Limit},
	}
	for _, e := range st.BlkioStats.IoServiceBytesRecursive {
		// v1 also lists Sync, Async, Discard and Total per device; Read
		// and Write are the whole of it ("Total" would count twice).
		switch strings.ToLower(e.Op) {
		case "read":
			out.BlockIO = append(out.BlockIO, BlockIOEntry{Major: e.Major, Minor: e.Minor, Op: "Read", Value: e.Value})
		case "write":
			out.BlockIO = append(out.BlockIO, BlockIOEntry{Major: e.Major, Minor: e.Minor, Op: "Write", Value: e.Value})
		}
	}
	return out
}

func (m *manager) CPUUsage() (uint64, error) {
	var n uint64
	var err error
	if m.layout == Unified {
		n, err = readCPUStatUsage(m.lib.Path(""))
	} else {
		n, err = readUintFile(m.lib.Path("cpuacct"), "cpuacct.usage")
	}
	if err != nil {
		return 0, fmt.Errorf("reading the CPU usage of cgroup %s: %w", m.name, tag(err))
	}
	return n, nil
}

// readUintFile reads a cgroup file holding one unsigned number.
func readUintFile(dir, file string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parsing %s/%s: %w", dir, file, err)
	}
	return n, nil
}

// readCPUStatUsage reads usage_usec from a v2 cgroup's cpu.stat (present
// whether or not the cpu controller is enabled there), in nanoseconds.
func readCPUStatUsage(dir string) (uint64, error) {
	f, err := os.Open(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "usage_usec "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing usage_usec in %s/cpu.stat: %w", dir, err)
			}
			return n * 1000, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s/cpu.stat has no usage_usec", dir)
}
