//go:build cgroupv2guest

package guest

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// update changes a running container's limits in its cgroup (flags, then
// a JSON resources object on stdin), and the container sees them.
func TestUpdateRunningContainer(t *testing.T) {
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		CPU:    &specs.LinuxCPU{Quota: ptr[int64](20000), Period: ptr[uint64](100000), Cpus: "0-1"},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](40)},
	}
	c := newContainer(t, "update", r, "sleep", "600")
	c.start(t)
	c.expect(t, "start", map[string]string{
		"memory.max": "67108864", "cpu.max": "20000 100000", "cpuset.cpus": "0-1", "pids.max": "40",
	})

	ok(t, "update", "--memory", "96m", "--memory-swap", "96m", "--pids-limit", "30",
		"--cpu-quota", "50000", "--cpuset-cpus", "1", c.id)
	c.expect(t, "update with flags", map[string]string{
		"memory.max": "100663296", "memory.swap.max": "0", "cpu.max": "50000 100000",
		"cpuset.cpus": "1", "pids.max": "30",
	})
	if got := strings.TrimSpace(c.exec(t, "cat", "/sys/fs/cgroup/memory.max")); got != "100663296" {
		t.Errorf("memory.max inside the container after update = %q, want 100663296", got)
	}

	res := oci(t, `{"memory": {"limit": 50331648}, "pids": {"limit": 25}}`, "update", "--resources", "-", c.id)
	if res.code != 0 {
		t.Fatalf("update -r -: exit %d: %s", res.code, res.stderr)
	}
	c.expect(t, "update -r", map[string]string{
		"memory.max": "50331648", "pids.max": "25", "cpu.max": "50000 100000", "cpuset.cpus": "1",
	})
}

// An update the kernel refuses (a CPU the guest does not have) fails and
// leaves every limit as it was, the ones written before the refusal too.
func TestUpdateRefusedKeepsLimits(t *testing.T) {
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](40)},
	}
	c := newContainer(t, "update-refused", r, "sleep", "600")
	c.start(t)
	res := oci(t, "", "update", "--memory", "128m", "--pids-limit", "10", "--cpuset-cpus", "7", c.id)
	if res.code == 0 {
		t.Fatal("update --cpuset-cpus 7 on a 2-CPU guest succeeded")
	}
	t.Logf("refused as expected: %s", strings.TrimSpace(res.stderr))
	c.expect(t, "a refused update", map[string]string{
		"memory.max": "67108864", "pids.max": "40", "cpuset.cpus": "",
	})
}

// expect checks the container's cgroup files after what happened.
func (c *container) expect(t *testing.T, after string, files map[string]string) {
	t.Helper()
	for file, want := range files {
		if got := c.read(t, file); got != want {
			t.Errorf("after %s: %s = %q, want %q", after, file, got, want)
		}
	}
}
