package cgroup

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestDeviceRulesInListedOrder checks that a v1 devices cgroup lists the
// spec's rules in the spec's order (runtime-tools linux_cgroups_devices
// reads devices.list by position): the library used to write them sorted
// by major, so runc's "b *:* m" came first.
func TestDeviceRulesInListedOrder(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		testutil.Missing(t, "devices.list exists only in a v1 devices hierarchy; v2 uses an eBPF program")
	}
	num := func(n int64) *int64 { return &n }
	r := &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: num(10), Minor: num(229), Access: "rwm"},
		{Allow: true, Type: "b", Major: num(8), Minor: num(4), Access: "rw"},
		{Allow: true, Type: "b", Major: num(7), Minor: num(1), Access: "r"},
		{Allow: true, Type: "c", Major: num(-1), Minor: num(-1), Access: "m"},
		{Allow: true, Type: "c", Major: num(1), Minor: num(3), Access: "rwm"},
	}}
	m := newManager(t, testID(t), r)
	c := startChild(t, "true")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	got := strings.Split(cgroupFile(t, m.Paths()["devices"], "devices.list"), "\n")
	want := []string{"c 10:229 rwm", "b 8:4 rw", "b 7:1 r", "c *:* m", "c 1:3 rwm"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("devices.list = %q, want %q (the spec's order)", got, want)
	}
}
