package dockercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// cgroupFile reads a file of container id's v1 cgroup.
func cgroupFile(t *testing.T, id, controller, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", controller, "container-runtime", id, file))
	if err != nil {
		t.Fatalf("reading the cgroup of %s: %v", id, err)
	}
	return strings.TrimSpace(string(b))
}

// TestDockerRunLimits: docker run's memory, CPU, block I/O and OOM flags,
// sent by Docker's own CLI as HostConfig fields, are honoured (they were
// refused with a 400 before): the cgroup files and the process's
// oom_score_adj have them, docker inspect shows them under Docker's
// names, and Docker's refusals come back to the docker CLI.
func TestDockerRunLimits(t *testing.T) {
	c := newCLI(t)
	dev, numbers, err := host.BlockDevice()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(c.ok(t, "run", "-d", "-m", "64m", "--memory-reservation", "32m", "--memory-swappiness", "20",
		"--oom-kill-disable", "--oom-score-adj", "300", "--cpu-period", "50000", "--cpu-quota", "20000", "--cpuset-mems", "0",
		"--device-write-iops", dev+":300", "busybox", "sleep", "1000"))
	t.Cleanup(func() { c.run(nil, nil, "rm", "-f", id) })
	for _, f := range [][3]string{
		{"memory", "memory.limit_in_bytes", "67108864"},
		{"memory", "memory.memsw.limit_in_bytes", "134217728"},
		{"memory", "memory.soft_limit_in_bytes", "33554432"},
		{"memory", "memory.swappiness", "20"},
		{"cpu", "cpu.cfs_period_us", "50000"},
		{"cpu", "cpu.cfs_quota_us", "20000"},
		{"cpuset", "cpuset.mems", "0"},
		{"blkio", "blkio.throttle.write_iops_device", numbers + " 300"},
	} {
		if got := cgroupFile(t, id, f[0], f[1]); got != f[2] {
			t.Errorf("%s = %q, want %q", f[1], got, f[2])
		}
	}
	if oc := cgroupFile(t, id, "memory", "memory.oom_control"); !strings.Contains(oc, "oom_kill_disable 1") {
		t.Errorf("memory.oom_control = %q", oc)
	}
	if got := strings.TrimSpace(c.ok(t, "exec", id, "cat", "/proc/1/oom_score_adj")); got != "300" {
		t.Errorf("oom_score_adj in the container: %q", got)
	}
	got := strings.TrimSpace(c.ok(t, "inspect", "-f",
		"{{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} "+
			"{{.HostConfig.OomScoreAdj}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetMems}} "+
			"{{range .HostConfig.BlkioDeviceWriteIOps}}{{.Path}}:{{.Rate}}{{end}}", id))
	if want := "134217728 33554432 20 true 300 50000 20000 0 " + dev + ":300"; got != want {
		t.Errorf("docker inspect: %q, want %q", got, want)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cpus", "1", "--cpu-period", "50000"}, "Conflicting options: Nano CPUs and CPU Period cannot both be set"},
		{[]string{"--oom-score-adj", "1001"}, "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
		{[]string{"-m", "64m", "--memory-swap", "32m"}, "Minimum memoryswap limit should be larger than memory limit"},
	} {
		r := c.run(nil, nil, append(append([]string{"create"}, tc.args...), "busybox")...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("want a refusal with %q, got %v", tc.want, r)
		}
	}

	// The cgroup: a parent below the engine's root, the host's cgroup
	// namespace.
	id = strings.TrimSpace(c.ok(t, "run", "-d", "--cgroup-parent", "tenant", "busybox", "sleep", "1000"))
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup/pids/container-runtime/tenant", id)); err != nil {
		t.Errorf("docker run --cgroup-parent tenant: %v", err)
	}
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.HostConfig.CgroupParent}} {{.HostConfig.CgroupnsMode}}", id)); got != "tenant private" {
		t.Errorf("docker inspect: %q, want tenant private", got)
	}
	c.ok(t, "rm", "-f", id)
	if _, err := os.Stat("/sys/fs/cgroup/pids/container-runtime/tenant"); err == nil {
		t.Errorf("the cgroup parent is left after its container was removed")
	}
	hostNS, err := os.Readlink("/proc/self/ns/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(c.ok(t, "run", "--rm", "--cgroupns", "host", "busybox", "readlink", "/proc/self/ns/cgroup")); got != hostNS {
		t.Errorf("docker run --cgroupns host: namespace %s, want the host's %s", got, hostNS)
	}
	if r := c.run(nil, nil, "create", "--cgroup-parent", "../escape", "busybox"); r.code == 0 || !strings.Contains(r.stderr, `".." is not allowed`) {
		t.Errorf("docker create --cgroup-parent ../escape: %v", r)
	}
	// A device cgroup rule grants its device (it was refused with a 400).
	out := c.ok(t, "run", "--rm", "--device-cgroup-rule", "c 10:200 rw", "busybox", "sh", "-c", "mknod /dev/t c 10 200 && (exec 3</dev/t) && echo granted")
	if out != "granted\n" {
		t.Errorf("docker run --device-cgroup-rule 'c 10:200 rw': %q", out)
	}
}
