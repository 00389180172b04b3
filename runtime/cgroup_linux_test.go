package runtime

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The tests of this file check that the container's cgroup limits hold
// from inside.

func ptrTo[T any](v T) *T { return &v }

func TestMemoryLimitOOMKill(t *testing.T) {
	b := newTestBundle(t, "/bin/probe", "alloc", "128")
	const limit = 32 << 20
	b.spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptrTo[int64](limit), Swap: ptrTo[int64](limit)}
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 137 || st.Signal != 9 || !st.OOMKilled {
		t.Errorf("allocating 128 MiB under a 32 MiB limit: %+v (output %q), want code 137, signal 9, OOM killed", st, out)
	}
	if strings.Contains(out, "allocated") {
		t.Errorf("the allocation succeeded: %q", out)
	}
}

func TestMemoryLimitNotReached(t *testing.T) {
	b := newTestBundle(t, "/bin/probe", "alloc", "8")
	b.spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptrTo[int64](64 << 20), Swap: ptrTo[int64](64 << 20)}
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 0 || st.OOMKilled {
		t.Errorf("allocating 8 MiB under a 64 MiB limit: %+v (output %q), want success", st, out)
	}
}

func TestPidsLimit(t *testing.T) {
	// Starts 20 sleeps in the background; the shell reports each fork
	// that fails. The sleeps die with the shell (PID 1 of the namespace).
	b := newTestBundle(t, "/bin/sh", "-c", `
		cat /sys/fs/cgroup/pids/pids.max
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			sleep 30 &
		done
		echo done`)
	b.spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: ptrTo[int64](10)}
	id := testID(t)
	watchLeaks(t, b, id)
	out, _ := b.run(t, id)
	lines := strings.Split(out, "\n")
	if lines[0] != "10" {
		t.Errorf("pids.max in the container is %q, want 10", lines[0])
	}
	if !strings.Contains(out, "fork") {
		t.Errorf("20 forks under a limit of 10 all succeeded: %q", out)
	}
}

func TestCPULimits(t *testing.T) {
	tests := []struct {
		name, file, want string
		cpu              specs.LinuxCPU
	}{
		{"shares", "/sys/fs/cgroup/cpu/cpu.shares", "512", specs.LinuxCPU{Shares: ptrTo[uint64](512)}},
		{"quota", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "50000", specs.LinuxCPU{Quota: ptrTo[int64](50000), Period: ptrTo[uint64](100000)}},
		{"period", "/sys/fs/cgroup/cpu/cpu.cfs_period_us", "200000", specs.LinuxCPU{Quota: ptrTo[int64](50000), Period: ptrTo[uint64](200000)}},
		{"cpuset", "/sys/fs/cgroup/cpuset/cpuset.cpus", "0", specs.LinuxCPU{Cpus: "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/cat", tt.file)
			b.spec.Linux.Resources.CPU = &tt.cpu
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			if out != tt.want || st.Code != 0 {
				t.Errorf("%s in the container: %q (%+v), want %q", tt.file, out, st, tt.want)
			}
		})
	}
}
