package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// cgroupValue reads a file of container id's v1 cgroup, e.g.
// ("memory", "memory.limit_in_bytes").
func cgroupValue(t *testing.T, id, controller, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", controller, "container-runtime", id, file))
	if err != nil {
		t.Fatalf("reading the cgroup of %s: %v", id[:12], err)
	}
	return strings.TrimSpace(string(b))
}

// updatedLimits are the cgroup files TestUpdate's update sets, and their
// values.
var updatedLimits = [][3]string{
	{"memory", "memory.limit_in_bytes", "134217728"},
	{"memory", "memory.memsw.limit_in_bytes", "268435456"},
	{"cpu", "cpu.cfs_quota_us", "50000"},
	{"cpu", "cpu.cfs_period_us", "100000"},
	{"cpu", "cpu.shares", "512"},
	{"cpuset", "cpuset.cpus", "0"},
	{"pids", "pids.max", "30"},
}

func expectLimits(t *testing.T, id, after string, limits [][3]string) {
	t.Helper()
	for _, l := range limits {
		if got := cgroupValue(t, id, l[0], l[1]); got != l[2] {
			t.Errorf("after %s: %s = %s, want %s", after, l[1], got, l[2])
		}
	}
}

// TestUpdate changes a running container's limits through the real
// daemon and CLI: the cgroup files change at once, and the limits stay
// through a restart of the container, a restart of the daemon, and a
// stop and start; a stopped container's update applies at its next
// start; the restart policy changes; Docker's refusals leave every
// limit as it was.
func TestUpdate(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	id := strings.TrimSpace(d.OK(t, "run", "-d", "--name", "u", "-m", "64m", "--cpus", "1", "--pids-limit", "50", img, "sleep", "1000"))
	expectLimits(t, id, "run", [][3]string{{"memory", "memory.limit_in_bytes", "67108864"}, {"pids", "pids.max", "50"}})

	out := d.OK(t, "update", "-m", "128m", "--memory-swap", "256m", "--cpus", "0.5", "-c", "512",
		"--cpuset-cpus", "0", "--pids-limit", "30", "u")
	if out != "u\n" {
		t.Errorf("update printed %q, want the container's name", out)
	}
	expectLimits(t, id, "update", updatedLimits)
	res := d.Inspect(t, "u").Config.Resources
	if res.Memory != 128<<20 || res.NanoCPUs != 5e8 || res.CPUShares != 512 || res.CpusetCpus != "0" || res.PidsLimit != 30 {
		t.Errorf("inspect after update: %+v", res)
	}

	d.OK(t, "restart", "-t", "1", "u")
	expectLimits(t, id, "restart", updatedLimits)

	d.Kill9(t)
	d.Start(t)
	expectLimits(t, id, "the daemon's restart (the container kept running)", updatedLimits)
	d.OK(t, "stop", "-t", "1", "u")
	d.OK(t, "start", "u")
	expectLimits(t, id, "stop and start after the daemon's restart", updatedLimits)

	t.Run("stopped", func(t *testing.T) {
		d.OK(t, "stop", "-t", "1", "u")
		if out := d.OK(t, "update", "--pids-limit", "20", "--memory-swap", "-1", "u"); out != "u\n" {
			t.Errorf("update of a stopped container printed %q", out)
		}
		d.OK(t, "start", "u")
		expectLimits(t, id, "update while stopped, then start", [][3]string{
			{"pids", "pids.max", "20"}, {"memory", "memory.limit_in_bytes", "134217728"},
			{"memory", "memory.memsw.limit_in_bytes", "9223372036854771712"}, {"cpu", "cpu.cfs_quota_us", "50000"},
		})
		d.OK(t, "update", "--pids-limit", "-1", "u")
		expectLimits(t, id, "--pids-limit -1", [][3]string{{"pids", "pids.max", "max"}})
	})

	t.Run("paused", func(t *testing.T) {
		d.OK(t, "pause", "u")
		d.OK(t, "update", "--pids-limit", "35", "u")
		expectLimits(t, id, "update while paused", [][3]string{{"pids", "pids.max", "35"}})
		d.OK(t, "unpause", "u")
		if st := d.Inspect(t, "u").StateDetail; !st.Running || st.Paused {
			t.Errorf("after unpause: %+v", st)
		}
	})

	t.Run("refused", func(t *testing.T) {
		d.OK(t, "update", "-m", "128m", "--memory-swap", "256m", "--pids-limit", "30", "u")
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"update", "-m", "4m", "u"}, "Minimum memory limit allowed is 6MB"},
			{[]string{"update", "-m", "300m", "u"}, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"},
			{[]string{"update", "-m", "300m", "--memory-swap", "200m", "u"}, "Minimum memoryswap limit should be larger than memory limit"},
			{[]string{"update", "--cpus", "1000", "u"}, "Range of CPUs is from 0.01 to"},
			{[]string{"update", "--cpuset-cpus", "999", "u"}, "Requested CPUs are not available"},
			{[]string{"update", "--pids-limit", "10", "nosuch"}, "no such container: nosuch"},
		} {
			if r := d.Run(t, tt.args...); r.Code != 1 || !strings.Contains(r.Stderr, tt.want) {
				t.Errorf("%q: %s\nwant exit 1 and %q", tt.args, r, tt.want)
			}
		}
		// Below what the container uses: the kernel cannot reclaim the
		// tmpfs pages (no swap), the update fails and changes nothing,
		// neither the cgroup nor what the next start applies.
		d.OK(t, "exec", "u", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1048576", "count=40")
		r := d.Run(t, "update", "-m", "16m", "--memory-swap", "16m", "--pids-limit", "25", "u")
		if r.Code != 1 || !strings.Contains(r.Stderr, "cannot update container u") {
			t.Errorf("update below the usage: %s", r)
		}
		t.Logf("refused: %s", strings.TrimSpace(r.Stderr))
		kept := [][3]string{
			{"memory", "memory.limit_in_bytes", "134217728"}, {"memory", "memory.memsw.limit_in_bytes", "268435456"},
			{"pids", "pids.max", "30"},
		}
		expectLimits(t, id, "a refused update", kept)
		if res := d.Inspect(t, "u").Config.Resources; res.Memory != 128<<20 || res.PidsLimit != 30 {
			t.Errorf("inspect after a refused update: %+v", res)
		}
		d.OK(t, "restart", "-t", "1", "u")
		expectLimits(t, id, "a refused update and a restart", kept)
	})

	t.Run("restart policy", func(t *testing.T) {
		d.OK(t, "update", "--restart", "always", "u")
		if p := d.Inspect(t, "u").Config.RestartPolicy; p.Name != "always" {
			t.Fatalf("restart policy after update: %+v", p)
		}
		pid := d.Inspect(t, "u").StateDetail.Pid
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, 20*time.Second, "the policy to restart u", func() bool {
			st := d.Inspect(t, "u")
			return st.RestartCount >= 1 && st.StateDetail.Running && st.StateDetail.Pid != pid
		})
		d.OK(t, "update", "--restart", "no", "u")
		if p := d.Inspect(t, "u").Config.RestartPolicy; p.Name != "no" {
			t.Errorf("restart policy after update to no: %+v", p)
		}
		// A container between restarts (its backoff doubles from 100 ms)
		// is not restarted again once its policy is no. "restarting" is
		// also the state while a restart is under way; the backoff is
		// when it shows a run newer than the one first seen.
		d.OK(t, "run", "-d", "--name", "flap", "--restart", "always", img, "false")
		var seen time.Time
		testutil.WaitFor(t, 30*time.Second, "flap waiting for a restart", func() bool {
			st := d.Inspect(t, "flap")
			if st.RestartCount < 4 {
				return false
			}
			if seen.IsZero() {
				seen = st.StateDetail.StartedAt
				return false
			}
			return st.StateDetail.Restarting && !st.StateDetail.StartedAt.Equal(seen)
		})
		d.OK(t, "update", "--restart", "no", "flap")
		count := d.Inspect(t, "flap").RestartCount
		testutil.WaitFor(t, 10*time.Second, "flap to stay exited", func() bool {
			return d.Inspect(t, "flap").StateDetail.Status == "exited"
		})
		time.Sleep(4 * time.Second) // past the backoff the old policy had scheduled (3.2 s at most here)
		if st := d.Inspect(t, "flap"); st.RestartCount != count || st.StateDetail.Status != "exited" {
			t.Errorf("after update --restart no: restart count %d (%d at the update), status %s", st.RestartCount, count, st.StateDetail.Status)
		}

		d.OK(t, "run", "-d", "--rm", "--name", "gone", img, "sleep", "1000")
		if r := d.Run(t, "update", "--restart", "always", "gone"); r.Code != 1 || !strings.Contains(r.Stderr, "AutoRemove") {
			t.Errorf("update --restart of a --rm container: %s", r)
		}
	})
}
