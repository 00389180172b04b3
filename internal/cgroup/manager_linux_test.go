package cgroup

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// The whole life of a container's cgroup on this host's real hierarchies.
func TestLifecycle(t *testing.T) {
	requireRoot(t)
	id := testID(t)
	m := newManager(t, id, withDefaultDevices(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
		CPU:    &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0"},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](20)},
	}))
	for key, p := range m.Paths() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("cgroup %q dir %s exists before Apply (stat: %v)", key, p, err)
		}
	}
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	paths := m.Paths()

	if Mode() != Unified {
		for _, f := range []struct{ ctrl, file, want string }{
			{"memory", "memory.limit_in_bytes", strconv.Itoa(64 << 20)},
			{"cpu", "cpu.shares", "512"},
			{"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpu", "cpu.cfs_period_us", "100000"},
			{"cpuset", "cpuset.cpus", "0"},
			{"pids", "pids.max", "20"},
		} {
			if got := cgroupFile(t, paths[f.ctrl], f.file); got != f.want {
				t.Errorf("%s/%s = %q, want %q", f.ctrl, f.file, got, f.want)
			}
		}
		devs := cgroupFile(t, paths["devices"], "devices.list")
		if strings.Contains(devs, "a *:* rwm") || !strings.Contains(devs, "c 1:3 rwm") {
			t.Errorf("devices.list = %q; want the default allow list only", devs)
		}
	}

	// The child is in the cgroup of every hierarchy, cgroup2 included on a
	// hybrid host, as /proc/<pid>/cgroup shows.
	own := readFile(t, fmt.Sprintf("/proc/%d/cgroup", c.pid()))
	for _, line := range strings.Split(strings.TrimSpace(own), "\n") {
		if !strings.HasSuffix(line, ":"+defaultParent+"/"+id) {
			t.Errorf("/proc/%d/cgroup line %q: child not in the container's cgroup", c.pid(), line)
		}
	}
	if Mode() == Hybrid {
		for _, key := range []string{"cpu", "cpuacct", "name=systemd", ""} {
			if _, ok := paths[key]; !ok {
				t.Errorf("Paths() = %v; want a %q entry on this hybrid host", paths, key)
			}
		}
	}

	pids, err := m.Pids()
	if err != nil || !slices.Contains(pids, c.pid()) {
		t.Errorf("Pids() = %v, %v; want it to contain the child %d", pids, err, c.pid())
	}

	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if Mode() != Unified {
		if got := cgroupFile(t, paths["freezer"], "freezer.state"); got != "FROZEN" {
			t.Errorf("freezer.state after Freeze = %q", got)
		}
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if Mode() != Unified {
		if got := cgroupFile(t, paths["freezer"], "freezer.state"); got != "THAWED" {
			t.Errorf("freezer.state after Thaw = %q", got)
		}
	}

	c.kill()
	if err := m.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	for key, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("cgroup %q dir %s still there after Destroy (stat: %v)", key, p, err)
		}
	}
}

// The kernel's OOM killer kills a process that outgrows the limit, and the
// count shows it.
func TestOOMKill(t *testing.T) {
	requireRoot(t)
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{
		// Swap equal to the limit: no swap to escape to.
		Memory: &specs.LinuxMemory{Limit: ptr[int64](16 << 20), Swap: ptr[int64](16 << 20)},
	}))
	// The shell keeps the 64 MiB of output of the command substitution in
	// its own memory.
	c := startChild(t, `x=$(head -c 67108864 /dev/zero | tr "\0" x); echo survived ${#x}`)
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	before, err := m.OOMKillCount()
	if err != nil || before != 0 {
		t.Fatalf("OOMKillCount before = %d, %v; want 0", before, err)
	}
	c.release(t)
	_ = c.cmd.Wait()
	if sig, ok := c.signaled(); !ok || sig != syscall.SIGKILL {
		t.Errorf("child ended with %v (stdout %q, stderr %q); want SIGKILL from the OOM killer",
			c.cmd.ProcessState, c.stdout.String(), c.stderr.String())
	}
	n, err := m.OOMKillCount()
	if err != nil || n < 1 {
		t.Errorf("OOMKillCount = %d, %v; want >= 1", n, err)
	}
}

// pids.max stops a fork bomb: the shell cannot start 10 sleeps under a
// limit of 5 processes.
func TestPidsLimit(t *testing.T) {
	requireRoot(t)
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{
		Pids: &specs.LinuxPids{Limit: ptr[int64](5)},
	}))
	// The sleeps must not hold the test's stdout/stderr pipes open.
	c := startChild(t, `for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 </dev/null >/dev/null 2>&1 & done; echo all started`)
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	c.release(t)
	err := c.cmd.Wait()
	if err == nil || strings.Contains(c.stdout.String(), "all started") {
		t.Errorf("shell succeeded (%v, stdout %q); want a fork failure", err, c.stdout.String())
	}
	if !strings.Contains(c.stderr.String(), "can't fork") {
		t.Errorf("stderr = %q; want busybox's \"can't fork\"", c.stderr.String())
	}
	if pids, err := m.Pids(); err != nil || len(pids) > 5 {
		t.Errorf("Pids() = %v, %v; want at most 5", pids, err)
	}
}

// A second process loads the cgroup from the saved paths and can add a
// process to it, list, freeze and remove it.
func TestLoad(t *testing.T) {
	requireRoot(t)
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{}))
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	paths := m.Paths()
	loaded, err := Load(paths)
	if err != nil {
		t.Fatalf("Load(%v): %v", paths, err)
	}
	// exec: a second process joins the loaded cgroup.
	c2 := startChild(t, "exec sleep 30")
	if err := loaded.Apply(c2.pid()); err != nil {
		t.Fatalf("loaded Apply: %v", err)
	}
	if pids, err := loaded.Pids(); err != nil || !slices.Contains(pids, c.pid()) || !slices.Contains(pids, c2.pid()) {
		t.Errorf("loaded Pids() = %v, %v; want both children %d and %d", pids, err, c.pid(), c2.pid())
	}
	if err := loaded.Freeze(); err != nil {
		t.Errorf("loaded Freeze: %v", err)
	}
	if err := loaded.Thaw(); err != nil {
		t.Errorf("loaded Thaw: %v", err)
	}
	c.kill()
	c2.kill()
	if err := loaded.Destroy(); err != nil {
		t.Fatalf("loaded Destroy: %v", err)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after Destroy (stat: %v)", p, err)
		}
	}
}

// Destroy refuses a cgroup with a live process, as a conflict, and
// succeeds right after the process is killed, before it is even reaped.
func TestDestroyBusy(t *testing.T) {
	requireRoot(t)
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{}))
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	err := m.Destroy()
	if !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("Destroy with a live process = %v; want ErrConflict", err)
	}
	if err := syscall.Kill(c.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("Destroy right after SIGKILL: %v", err)
	}
	for key, p := range m.Paths() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("cgroup %q dir %s still there (stat: %v)", key, p, err)
		}
	}
}

// Set updates limits and leaves device rules alone when given none.
func TestSetUpdate(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		testutil.Missing(t, "checks v1 files")
	}
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20)},
	}))
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	devices := m.Paths()["devices"]
	before := cgroupFile(t, devices, "devices.list")
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](32 << 20)}}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got := cgroupFile(t, m.Paths()["memory"], "memory.limit_in_bytes"); got != strconv.Itoa(32<<20) {
		t.Errorf("memory.limit_in_bytes after Set = %s", got)
	}
	if after := cgroupFile(t, devices, "devices.list"); after != before {
		t.Errorf("devices.list changed by a Set without devices:\nbefore %q\nafter  %q", before, after)
	}
}

// On a hybrid host whose hugetlb controller lives in cgroup2 (this one),
// hugetlb limits land in the cgroup2 directory.
func TestHybridHugetlb(t *testing.T) {
	requireRoot(t)
	if Mode() != Hybrid {
		testutil.Missing(t, "needs a hybrid host")
	}
	root := "/sys/fs/cgroup/unified"
	if ctrls := readFile(t, root+"/cgroup.controllers"); !strings.Contains(ctrls, "hugetlb") {
		testutil.Missing(t, "hybrid host without hugetlb in cgroup2")
	}
	restoreSubtreeControl(t, root, root+defaultParent)
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
		Unified:        map[string]string{"cgroup.max.descendants": "3"},
	}))
	c := startChild(t, "exec sleep 30")
	if err := m.Apply(c.pid()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	dir := m.Paths()[""]
	if got := cgroupFile(t, dir, "hugetlb.2MB.max"); got != strconv.Itoa(4<<20) {
		t.Errorf("hugetlb.2MB.max = %q", got)
	}
	if got := cgroupFile(t, dir, "cgroup.max.descendants"); got != "3" {
		t.Errorf("cgroup.max.descendants = %q", got)
	}
}

// restoreSubtreeControl puts back, at the end of the test, the
// cgroup.subtree_control of the given cgroups, outermost first, as it was
// (empty for a cgroup that did not exist yet).
func restoreSubtreeControl(t testing.TB, dirs ...string) {
	t.Helper()
	saved := map[string][]string{}
	for _, d := range dirs {
		saved[d], _ = readList(d, "cgroup.subtree_control")
	}
	t.Cleanup(func() {
		// Deepest first: a parent cannot drop a controller its children
		// still enable.
		for i := len(dirs) - 1; i >= 0; i-- {
			d := dirs[i]
			was := saved[d]
			now, err := readList(d, "cgroup.subtree_control")
			if err != nil {
				continue
			}
			for _, c := range now {
				if !slices.Contains(was, c) {
					if err := writeLines(d, "cgroup.subtree_control", "-"+c); err != nil {
						t.Errorf("restoring %s/cgroup.subtree_control: %v", d, err)
					}
				}
			}
		}
	})
}
