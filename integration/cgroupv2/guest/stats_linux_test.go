//go:build cgroupv2guest

package guest

import (
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// The counters `stats` shows, read by the cgroup package from a real
// cgroup2 directory (this is the only place they are: the host is
// hybrid), move with what the container does: the tasks it forks, the
// tmpfs pages it fills, the CPU time it burns; the limits are the
// container's.
func TestStatsReadsV2Counters(t *testing.T) {
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](40)},
	}
	script := `dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=16 2>/dev/null; sleep 600 & sleep 600 & ` +
		`i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exec sleep 600`
	c := newContainer(t, "stats", r, "sh", "-c", script)
	c.start(t)
	cg, err := cgroup.Load(map[string]string{"": c.cgroup})
	if err != nil {
		t.Fatalf("loading the container's cgroup: %v", err)
	}
	// The shell ends as a sleep of its own once its loop is done.
	var st *cgroup.Stats
	deadline := time.Now().Add(ociBound)
	for {
		if st, err = cg.Stats(); err != nil {
			t.Fatalf("Stats: %v", err)
		}
		if st.Pids.Current == 3 && c.exec(t, "cat", "/proc/1/comm") == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container's script did not finish: %+v", st.Pids)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.Pids.Limit != 40 {
		t.Errorf("pids limit = %d, want 40", st.Pids.Limit)
	}
	if st.Memory.Limit != 64<<20 {
		t.Errorf("memory limit = %d, want %d", st.Memory.Limit, 64<<20)
	}
	if st.Memory.Usage < 16<<20 {
		t.Errorf("memory usage = %d, want at least the 16 MiB on /dev/shm", st.Memory.Usage)
	}
	if _, ok := st.Memory.Stats["inactive_file"]; !ok {
		t.Errorf("memory.stat has no inactive_file: %v", st.Memory.Stats)
	}
	if st.Memory.Stats["shmem"] < 16<<20 {
		t.Errorf("memory.stat shmem = %d, want the 16 MiB on /dev/shm", st.Memory.Stats["shmem"])
	}
	if st.CPU.Total == 0 || st.CPU.User == 0 {
		t.Errorf("CPU times after a busy loop: %+v", st.CPU)
	}
	usage, err := cg.CPUUsage()
	if err != nil || usage < st.CPU.Total {
		t.Errorf("CPUUsage = %d, %v; want at least Stats' %d", usage, err, st.CPU.Total)
	}
}
