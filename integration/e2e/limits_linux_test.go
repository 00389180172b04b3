package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// hasCapability tells whether this process has capability bit in its
// effective set.
func hasCapability(t *testing.T, bit uint) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if hex, ok := strings.CutPrefix(line, "CapEff:\t"); ok {
			v, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			if err != nil {
				t.Fatalf("CapEff %q: %v", hex, err)
			}
			return v&(1<<bit) != 0
		}
	}
	t.Fatal("no CapEff in /proc/self/status")
	return false
}

// TestRunLimits reads each of Docker's memory, CPU, block I/O and OOM run
// flags back in the container's cgroup files (v1 here) or inside the
// container, with what inspect shows under Docker's HostConfig names, and
// checks Docker's refusals.
func TestRunLimits(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	running := func(t *testing.T, args ...string) string {
		t.Helper()
		id := strings.TrimSpace(d.OK(t, append(append([]string{"run", "-d"}, args...), img, "sleep", "1000")...))
		t.Cleanup(func() { d.Run(t, "rm", "-f", id) })
		return id
	}
	inspect := func(t *testing.T, id, field string) string {
		t.Helper()
		return strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.HostConfig."+field+"}}", id))
	}

	t.Run("memory-swap", func(t *testing.T) {
		id := running(t, "-m", "64m")
		expectLimits(t, id, "-m 64m", [][3]string{{"memory", "memory.memsw.limit_in_bytes", "134217728"}})
		if got := inspect(t, id, "MemorySwap"); got != "134217728" {
			t.Errorf("-m 64m: HostConfig.MemorySwap = %s, want twice the memory, 134217728", got)
		}
		id = running(t, "-m", "64m", "--memory-swap", "96m")
		expectLimits(t, id, "--memory-swap 96m", [][3]string{{"memory", "memory.memsw.limit_in_bytes", "100663296"}})
		id = running(t, "-m", "64m", "--memory-swap", "-1")
		if got := cgroupValue(t, id, "memory", "memory.memsw.limit_in_bytes"); len(got) < 18 {
			t.Errorf("--memory-swap -1: memsw limit %s, want unlimited", got)
		}
		if got := inspect(t, id, "MemorySwap"); got != "-1" {
			t.Errorf("--memory-swap -1: HostConfig.MemorySwap = %s", got)
		}
		refused(t, d, "You should always set the Memory limit when using Memoryswap limit", "create", "--memory-swap", "1g", img)
		refused(t, d, "Minimum memoryswap limit should be larger than memory limit", "create", "-m", "64m", "--memory-swap", "32m", img)
	})

	t.Run("memory-reservation-swappiness-oom", func(t *testing.T) {
		id := running(t, "-m", "64m", "--memory-reservation", "32m", "--memory-swappiness", "10", "--oom-kill-disable")
		expectLimits(t, id, "run", [][3]string{
			{"memory", "memory.soft_limit_in_bytes", "33554432"},
			{"memory", "memory.swappiness", "10"},
		})
		if oc := cgroupValue(t, id, "memory", "memory.oom_control"); !strings.Contains(oc, "oom_kill_disable 1") {
			t.Errorf("--oom-kill-disable: memory.oom_control = %q", oc)
		}
		for field, want := range map[string]string{"MemoryReservation": "33554432", "MemorySwappiness": "10", "OomKillDisable": "true"} {
			if got := inspect(t, id, field); got != want {
				t.Errorf("HostConfig.%s = %s, want %s", field, got, want)
			}
		}
		res := d.Run(t, "create", "--oom-kill-disable", img, "true")
		if res.Code != 0 || !strings.Contains(res.Stderr, "OOM killer is disabled for the container, but no memory limit is set") {
			t.Errorf("--oom-kill-disable without -m: want Docker's warning, got:\n%s", res)
		}
		d.Run(t, "rm", "-f", strings.TrimSpace(res.Stdout))
		refused(t, d, "Invalid value: 101, valid memory swappiness range is 0-100", "create", "--memory-swappiness", "101", img)
		refused(t, d, "Minimum memory limit can not be less than memory reservation limit", "create", "-m", "64m", "--memory-reservation", "128m", img)
	})

	t.Run("oom-score-adj", func(t *testing.T) {
		for _, adj := range []string{"500", "1000"} {
			out := d.OK(t, "run", "--rm", "--oom-score-adj", adj, img, "cat", "/proc/self/oom_score_adj")
			if strings.TrimSpace(out) != adj {
				t.Errorf("--oom-score-adj %s: the container's process has %q", adj, out)
			}
		}
		// A negative adjustment needs CAP_SYS_RESOURCE, which some hosts
		// (this VM) withhold even from root: then the start fails and says so.
		res := d.Run(t, "run", "--rm", "--oom-score-adj", "-500", img, "cat", "/proc/self/oom_score_adj")
		if hasCapability(t, 24) { // CAP_SYS_RESOURCE
			if res.Code != 0 || strings.TrimSpace(res.Stdout) != "-500" {
				t.Errorf("--oom-score-adj -500: want -500 in the container, got:\n%s", res)
			}
		} else if res.Code == 0 || !strings.Contains(res.Stderr, "needs CAP_SYS_RESOURCE") {
			t.Errorf("--oom-score-adj -500 without CAP_SYS_RESOURCE: want a failed start saying so, got:\n%s", res)
		}
		if got := inspect(t, mustCreate(t, d, "--oom-score-adj", "300", img), "OomScoreAdj"); got != "300" {
			t.Errorf("HostConfig.OomScoreAdj = %s", got)
		}
		refused(t, d, "Invalid value 1001, range for oom score adj is [-1000, 1000]", "create", "--oom-score-adj", "1001", img)
		refused(t, d, "Invalid value -1001, range for oom score adj is [-1000, 1000]", "create", "--oom-score-adj", "-1001", img)
	})

	t.Run("cpu-period-quota-cpuset-mems", func(t *testing.T) {
		id := running(t, "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0")
		expectLimits(t, id, "run", [][3]string{
			{"cpu", "cpu.cfs_period_us", "50000"},
			{"cpu", "cpu.cfs_quota_us", "25000"},
			{"cpuset", "cpuset.mems", "0"},
		})
		for field, want := range map[string]string{"CpuPeriod": "50000", "CpuQuota": "25000", "CpusetMems": "0"} {
			if got := inspect(t, id, field); got != want {
				t.Errorf("HostConfig.%s = %s, want %s", field, got, want)
			}
		}
		refused(t, d, "Conflicting options: Nano CPUs and CPU Period cannot both be set", "create", "--cpus", "1", "--cpu-period", "50000", img)
		refused(t, d, "Conflicting options: Nano CPUs and CPU Quota cannot both be set", "create", "--cpus", "1", "--cpu-quota", "50000", img)
		refused(t, d, "CPU cfs period can not be less than 1ms", "create", "--cpu-period", "10", img)
		refused(t, d, "Requested memory nodes are not available", "create", "--cpuset-mems", "0-63", img)
	})

	t.Run("device-throttles", func(t *testing.T) {
		dev, numbers, err := host.BlockDevice()
		if err != nil {
			t.Fatal(err)
		}
		id := running(t, "--device-read-bps", dev+":1mb", "--device-write-bps", dev+":2mb",
			"--device-read-iops", dev+":100", "--device-write-iops", dev+":200")
		expectLimits(t, id, "run", [][3]string{
			{"blkio", "blkio.throttle.read_bps_device", numbers + " 1048576"},
			{"blkio", "blkio.throttle.write_bps_device", numbers + " 2097152"},
			{"blkio", "blkio.throttle.read_iops_device", numbers + " 100"},
			{"blkio", "blkio.throttle.write_iops_device", numbers + " 200"},
		})
		if got := inspect(t, id, "BlkioDeviceWriteBps"); got != "[{"+dev+" 2097152}]" {
			t.Errorf("HostConfig.BlkioDeviceWriteBps = %s", got)
		}
		refused(t, d, "is not a block device", "create", "--device-read-bps", "/dev/null:1mb", img, "true")
		refused(t, d, "bad format for device path", "create", "--device-read-bps", "vda:1mb", img)
		refused(t, d, "invalid rate for device", "create", "--device-read-iops", dev+":1k", img)
	})

	t.Run("cgroup-parent", func(t *testing.T) {
		id := running(t, "--cgroup-parent", "web/backend", "-m", "64m")
		dir := filepath.Join("/sys/fs/cgroup/memory/container-runtime/web/backend", id)
		if b, err := os.ReadFile(filepath.Join(dir, "memory.limit_in_bytes")); err != nil || strings.TrimSpace(string(b)) != "67108864" {
			t.Errorf("--cgroup-parent web/backend -m 64m: %s: %q, %v", dir, b, err)
		}
		pid := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.State.Pid}}", id))
		procCgroup, err := os.ReadFile("/proc/" + pid + "/cgroup")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(procCgroup)), "\n") {
			if f := strings.SplitN(line, ":", 3); len(f) == 3 && f[1] != "" && f[1] != "name=systemd" && f[2] != "/container-runtime/web/backend/"+id {
				t.Errorf("the container's process is in %s, want /container-runtime/web/backend/%s", line, id[:12])
			}
		}
		if got := inspect(t, id, "CgroupParent"); got != "web/backend" {
			t.Errorf("HostConfig.CgroupParent = %q", got)
		}
		// stats finds the cgroup where the parent put it.
		if out := d.OK(t, "stats", "--no-stream", "--format", "{{.MemUsage}}", id); !strings.Contains(out, "64MiB") {
			t.Errorf("stats of a container under a cgroup parent: %q, want its 64MiB limit", out)
		}
		// An absolute path below the root is the same parent.
		other := running(t, "--cgroup-parent", "/container-runtime/web/backend")
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup/pids/container-runtime/web/backend", other)); err != nil {
			t.Errorf("--cgroup-parent /container-runtime/web/backend: %v", err)
		}
		d.OK(t, "rm", "-f", id, other)
		// The parents go off the client's path, with the container's
		// "destroy" event (removeTail): wait for them, bounded.
		for _, c := range []string{"memory", "pids", "cpu", "cpuset"} {
			parent := filepath.Join("/sys/fs/cgroup", c, "container-runtime/web")
			if !testutil.Eventually(10*time.Second, func() bool { _, err := os.Stat(parent); return os.IsNotExist(err) }) {
				t.Errorf("the parent's cgroup %s/container-runtime/web is left after its containers were removed", c)
			}
		}
		refused(t, d, "is outside the engine's cgroup root", "create", "--cgroup-parent", "/system.slice", img)
		refused(t, d, `".." is not allowed`, "create", "--cgroup-parent", "../escape", img)
	})

	t.Run("cgroupns", func(t *testing.T) {
		host := hostNamespace(t, "cgroup")
		if got := strings.TrimSpace(d.OK(t, "run", "--rm", "--cgroupns", "host", img, "readlink", "/proc/self/ns/cgroup")); got != host {
			t.Errorf("--cgroupns host: the container's cgroup namespace is %s, want the host's %s", got, host)
		}
		for _, mode := range []string{"", "private"} {
			args := []string{"run", "--rm"}
			if mode != "" {
				args = append(args, "--cgroupns", mode)
			}
			if got := strings.TrimSpace(d.OK(t, append(args, img, "readlink", "/proc/self/ns/cgroup")...)); got == host {
				t.Errorf("--cgroupns %q: the container shares the host's cgroup namespace", mode)
			}
		}
		// Without its own namespace the container still sees only its own
		// cgroup at /sys/fs/cgroup: its limit, not the host's.
		out := d.OK(t, "run", "--rm", "--cgroupns", "host", "-m", "64m", img, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
		if strings.TrimSpace(out) != "67108864" {
			t.Errorf("--cgroupns host: /sys/fs/cgroup/memory/memory.limit_in_bytes is %q, want the container's 67108864", out)
		}
		if got := inspect(t, mustCreate(t, d, "--cgroupns", "host", img), "CgroupnsMode"); got != "host" {
			t.Errorf("HostConfig.CgroupnsMode = %q", got)
		}
		if got := inspect(t, mustCreate(t, d, img), "CgroupnsMode"); got != "private" {
			t.Errorf("HostConfig.CgroupnsMode by default = %q, want private", got)
		}
		refused(t, d, `invalid --cgroupns "bogus"`, "create", "--cgroupns", "bogus", img)
	})

	t.Run("device-cgroup-rule", func(t *testing.T) {
		out := d.OK(t, "run", "--rm", "--device-cgroup-rule", "c 10:200 rw", img, "sh", "-c",
			"mknod /dev/t c 10 200 && (exec 3</dev/t) && echo granted; mknod /dev/f c 10 229 && (exec 3</dev/f) 2>/dev/null || echo denied")
		if out != "granted\ndenied\n" {
			t.Errorf("--device-cgroup-rule 'c 10:200 rw': want 10:200 usable and 10:229 not, got %q", out)
		}
		id := mustCreate(t, d, "--device-cgroup-rule", "c 10:200 rw", "--device-cgroup-rule", "b 8:* r", img)
		if got := inspect(t, id, "DeviceCgroupRules"); got != "[c 10:200 rw b 8:* r]" {
			t.Errorf("HostConfig.DeviceCgroupRules = %s", got)
		}
		refused(t, d, "invalid device cgroup rule", "create", "--device-cgroup-rule", "c 10:200", img)
		refused(t, d, "type a means every device", "create", "--device-cgroup-rule", "a 1:3 r", img)
	})

	t.Run("blkio-weight", func(t *testing.T) {
		refused(t, d, "Range of blkio weight is from 10 to 1000", "create", "--blkio-weight", "5", img)
		_, err := os.Stat("/sys/fs/cgroup/blkio/blkio.weight")
		_, bfqErr := os.Stat("/sys/fs/cgroup/blkio/blkio.bfq.weight")
		if err != nil && bfqErr != nil {
			// The block devices' scheduler does no weights (mq-deadline,
			// none): Docker drops the weight and warns, the container runs.
			res := d.Run(t, "run", "--rm", "--blkio-weight", "300", img, "true")
			if res.Code != 0 || !strings.Contains(res.Stderr, "Your kernel does not support Block I/O weight") {
				t.Errorf("--blkio-weight on a host without weights: want Docker's warning and a run, got:\n%s", res)
			}
			if got := inspect(t, mustCreate(t, d, "--blkio-weight", "300", img), "BlkioWeight"); got != "0" {
				t.Errorf("a discarded weight: HostConfig.BlkioWeight = %s, want 0 as Docker", got)
			}
			return
		}
		id := running(t, "--blkio-weight", "300")
		file := "blkio.weight"
		if err != nil {
			file = "blkio.bfq.weight"
		}
		if got := cgroupValue(t, id, "blkio", file); !strings.Contains(got, "300") {
			t.Errorf("--blkio-weight 300: %s = %s", file, got)
		}
	})
}
