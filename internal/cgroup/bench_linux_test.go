package cgroup

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// BenchmarkCreateApplyDestroy measures the cgroup part of a container's
// start and removal: New, Apply (create in every hierarchy, set typical
// limits, join) and Destroy. Between Apply and Destroy the process is moved
// back to its own cgroups with the timer stopped (in real life it exits).
func BenchmarkCreateApplyDestroy(b *testing.B) {
	requireRoot(b)
	c := startChild(b, "exec sleep 300")
	home, err := cgroups.ParseCgroupFile(fmt.Sprintf("/proc/%d/cgroup", c.pid()))
	if err != nil {
		b.Fatal(err)
	}
	r := withDefaultDevices(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		CPU:    &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](100)},
	})
	id := testID(b)
	inner := defaultParent + "/" + id
	for b.Loop() {
		m, err := New(id, "", r)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Apply(c.pid()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for key, p := range m.Paths() {
			back := filepath.Join(strings.TrimSuffix(p, inner), home[key])
			if err := writeLines(back, "cgroup.procs", strconv.Itoa(c.pid())); err != nil {
				b.Fatalf("moving %d back to %s: %v", c.pid(), back, err)
			}
		}
		b.StartTimer()
		if err := m.Destroy(); err != nil {
			b.Fatal(err)
		}
	}
}
