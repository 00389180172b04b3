//go:build cgroupv2guest

package guest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The guest mounts cgroup2 alone: no v1 hierarchy is mounted, and the
// controllers the tests need are enabled for children of the root.
func TestGuestIsCgroup2Only(t *testing.T) {
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mountinfo), "\n") {
		if _, after, found := strings.Cut(line, " - "); found && strings.HasPrefix(after, "cgroup ") {
			t.Errorf("a cgroup v1 hierarchy is mounted: %s", line)
		}
	}
	data, err := os.ReadFile(cgroupRoot + "/cgroup.subtree_control")
	if err != nil {
		t.Fatalf("no cgroup2 on %s: %v", cgroupRoot, err)
	}
	enabled := strings.Fields(string(data))
	for _, want := range []string{"cpu", "cpuset", "io", "memory", "pids"} {
		if !contains(enabled, want) {
			t.Errorf("controller %s not enabled at the root (subtree_control: %q)", want, enabled)
		}
	}
}

// A process that allocates beyond memory.max is OOM-killed, run reports
// it as 128+SIGKILL = 137, the kernel counts the kill in memory.events,
// and the cgroup goes with the container.
func TestMemoryLimitOOMKillExits137(t *testing.T) {
	limit := int64(32 << 20)
	r := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit, Swap: &limit}} // swap = limit: none
	// dd reads /dev/zero into one 64 MiB buffer, touching every page of it.
	dd := []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=67108864", "count=1"}

	c := newContainer(t, "oom", r, dd...)
	res := c.run(t, false)
	if res.code != 137 {
		t.Errorf("run of a 64 MiB allocation under memory.max 32 MiB: exit %d, want 137 (OOM kill)\nstderr: %s", res.code, res.stderr)
	}
	c.requireGone(t)

	kept := newContainer(t, "oom-kept", r, dd...)
	res = kept.run(t, true)
	if res.code != 137 {
		t.Errorf("run --keep: exit %d, want 137\nstderr: %s", res.code, res.stderr)
	}
	if got := kept.read(t, "memory.max"); got != strconv.FormatInt(limit, 10) {
		t.Errorf("memory.max = %s, want %d", got, limit)
	}
	if n, _ := strconv.Atoi(keyed(kept.read(t, "memory.events"), "oom_kill")); n < 1 {
		t.Errorf("memory.events counts no OOM kill:\n%s", kept.read(t, "memory.events"))
	}
	ok(t, "delete", kept.id)
	kept.requireGone(t)
}

// Under pids.max the shell's forks fail, and the kernel counts the
// refusals in pids.events. The limit leaves room for the runtime's own
// stage in the cgroup: pids.max counts its threads too, until it execs.
func TestPidsLimitForkFails(t *testing.T) {
	r := &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](16)}}
	script := `i=0; while [ $i -lt 40 ]; do sleep 600 & i=$((i+1)); done; echo spawned all`
	c := newContainer(t, "pids", r, "sh", "-c", script)
	res := c.run(t, true)
	t.Logf("run: exit %d, stderr: %q", res.code, res.stderr)
	if strings.Contains(res.stdout, "spawned all") {
		t.Errorf("40 processes started under pids.max 16 (exit %d)", res.code)
	}
	if !strings.Contains(res.stderr, "can't fork") {
		t.Errorf("the shell reported no failed fork")
	}
	if got := c.read(t, "pids.max"); got != "16" {
		t.Errorf("pids.max = %s, want 16", got)
	}
	if n, _ := strconv.Atoi(keyed(c.read(t, "pids.events"), "max")); n < 1 {
		t.Errorf("pids.events counts no refused fork:\n%s", c.read(t, "pids.events"))
	}
	ok(t, "delete", c.id)
	c.requireGone(t)
}

// A CPU quota lands in cpu.max, seen the same from the host and, through
// the cgroup namespace, from inside; shares become cpu.weight.
func TestCPUQuotaInCPUMax(t *testing.T) {
	r := &specs.LinuxResources{CPU: &specs.LinuxCPU{
		Quota: ptr[int64](25000), Period: ptr[uint64](100000), Shares: ptr[uint64](512),
	}}
	c := newContainer(t, "cpu", r, "sleep", "600")
	c.start(t)
	if got := c.read(t, "cpu.max"); got != "25000 100000" {
		t.Errorf("cpu.max = %q, want \"25000 100000\"", got)
	}
	if got, want := c.read(t, "cpu.weight"), strconv.FormatUint(cgroups.ConvertCPUSharesToCgroupV2Value(512), 10); got != want {
		t.Errorf("cpu.weight = %q, want %s (512 shares by the cgroups library's conversion)", got, want)
	}
	if got := strings.TrimSpace(c.exec(t, "cat", "/sys/fs/cgroup/cpu.max")); got != "25000 100000" {
		t.Errorf("cpu.max inside the container = %q, want \"25000 100000\"", got)
	}
}

// cpuset.cpus restricts where the container's processes may run: the
// kernel's own affinity of a process inside says so.
func TestCpusetPinsCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Fatalf("the guest has %d CPU; the cpuset test needs 2 (QEMU -smp 2)", runtime.NumCPU())
	}
	r := &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1", Mems: "0"}}
	c := newContainer(t, "cpuset", r, "sleep", "600")
	c.start(t)
	for file, want := range map[string]string{
		"cpuset.cpus": "1", "cpuset.cpus.effective": "1", "cpuset.mems": "0",
	} {
		if got := c.read(t, file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	status := c.exec(t, "cat", "/proc/self/status")
	if !strings.Contains(status, "Cpus_allowed_list:\t1\n") {
		t.Errorf("a process in the container may run on other CPUs than 1:\n%s", status)
	}
}

// The container sees its own cgroup as the root of its cgroup namespace,
// while the host sees where it really is; the controllers reach it.
func TestCgroupNamespaceView(t *testing.T) {
	c := newContainer(t, "cgroupns", &specs.LinuxResources{}, "sleep", "600")
	c.start(t)
	if got := c.exec(t, "cat", "/proc/self/cgroup"); got != "0::/\n" {
		t.Errorf("/proc/self/cgroup inside = %q, want \"0::/\\n\"", got)
	}
	pid := c.state(t).Pid
	host, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if want := "0::/" + parent + "/" + c.id + "\n"; string(host) != want {
		t.Errorf("/proc/%d/cgroup from the host = %q, want %q", pid, host, want)
	}
	controllers := strings.Fields(c.read(t, "cgroup.controllers"))
	for _, want := range []string{"cpu", "cpuset", "io", "memory", "pids"} {
		if !contains(controllers, want) {
			t.Errorf("controller %s not available to the container (cgroup.controllers: %q)", want, controllers)
		}
	}
}

// delete removes the cgroup of a stopped container, and delete --force
// that of a running one.
func TestDeleteRemovesCgroup(t *testing.T) {
	stopped := newContainer(t, "delete-stopped", &specs.LinuxResources{}, "sleep", "600")
	stopped.start(t)
	if _, err := os.Stat(stopped.cgroup); err != nil {
		t.Fatalf("the running container has no cgroup: %v", err)
	}
	ok(t, "kill", stopped.id, "KILL")
	stopped.waitStopped(t)
	ok(t, "delete", stopped.id)
	stopped.requireGone(t)

	running := newContainer(t, "delete-running", &specs.LinuxResources{}, "sleep", "600")
	running.start(t)
	ok(t, "delete", "--force", running.id)
	running.requireGone(t)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
