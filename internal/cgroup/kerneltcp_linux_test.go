package cgroup

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestKernelTCP checks linux.resources.memory.kernelTCP reaches a v1
// memory cgroup at Apply and at Set (runtime-tools linux_cgroups_memory
// reads memory.kmem.tcp.limit_in_bytes; crun sets it, we ignored it).
func TestKernelTCP(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		t.Skip("cgroup v2 has no TCP buffer memory limit")
	}
	limit := int64(50 << 20)
	r := withDefaultDevices(&specs.LinuxResources{Memory: &specs.LinuxMemory{KernelTCP: &limit}})
	m := newManager(t, testID(t), r)
	c := startChild(t, "true")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	dir := m.Paths()["memory"]
	if got := cgroupFile(t, dir, "memory.kmem.tcp.limit_in_bytes"); got != "52428800" {
		t.Fatalf("memory.kmem.tcp.limit_in_bytes after Apply = %s, want 52428800", got)
	}
	limit = 20 << 20
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{KernelTCP: &limit}}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got := cgroupFile(t, dir, "memory.kmem.tcp.limit_in_bytes"); got != "20971520" {
		t.Fatalf("memory.kmem.tcp.limit_in_bytes after Set = %s, want 20971520", got)
	}
}
