package ocicompat

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// TestDockerUpdate changes a running container's memory limits with
// `docker update`, which reaches our runtime as `update --resources -`
// with the new linux.resources on stdin (containerd's runc shim, through
// go-runc), and reads them back from inside the container, through its
// own view of the memory cgroup. Raising goes above the current
// memory+swap total and lowering below the current memory limit, so the
// v1 write order (swap first when raising, memory first when lowering)
// is exercised both ways.
func TestDockerUpdate(t *testing.T) {
	testutil.RequireRoot(t)
	runtime := command.OCIRuntime(t)
	rootfs := busyboxRootfs(t)
	d := dockerd.New(t, "--add-runtime", runtimeName+"="+runtime, "--default-runtime", "runc")
	tarball := filepath.Join(t.TempDir(), "busybox.tar")
	writeTarball(t, rootfs, tarball)
	d.MustDocker(t, "import", tarball, "busybox:test")
	baseline := readMounts(t)

	id := d.MustDocker(t, runArgs("--detach", "--memory", "64m", "--memory-swap", "96m",
		"busybox:test", "sleep", "100")...)
	// The container's cgroup v1 memory files, as the container sees them
	// (v2 has no separate memory+swap total to read back here).
	readLimits := func() (string, string) {
		t.Helper()
		out := d.MustDocker(t, "exec", id, "cat",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
		limit, swap, _ := strings.Cut(out, "\n")
		return limit, strings.TrimSpace(swap)
	}
	if limit, _ := readLimits(); limit != strconv.Itoa(64<<20) {
		t.Fatalf("before update: memory.limit_in_bytes = %s, want %d", limit, 64<<20)
	}
	for _, step := range []struct {
		memory, swap string
		limit, total int
	}{
		{"128m", "256m", 128 << 20, 256 << 20}, // raise above the current total
		{"32m", "48m", 32 << 20, 48 << 20},     // lower below the current limit
	} {
		r := d.Docker(t, "update", "--memory", step.memory, "--memory-swap", step.swap, id)
		if r.Code != 0 {
			t.Fatalf("docker update -m %s --memory-swap %s: %v", step.memory, step.swap, r)
		}
		limit, total := readLimits()
		if limit != strconv.Itoa(step.limit) || total != strconv.Itoa(step.total) {
			t.Errorf("after docker update -m %s --memory-swap %s: inside, memory.limit_in_bytes = %s and memory.memsw.limit_in_bytes = %s; want %d and %d",
				step.memory, step.swap, limit, total, step.limit, step.total)
		}
		if got := d.MustDocker(t, "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", id); got != strconv.Itoa(step.limit)+" "+strconv.Itoa(step.total) {
			t.Errorf("docker inspect after update: %q, want %d %d", got, step.limit, step.total)
		}
	}
	// Memory above the memory+swap total is refused and changes nothing
	// (dockerd checks this one itself before asking the runtime).
	if r := d.Docker(t, "update", "--memory", "80m", id); r.Code == 0 {
		t.Errorf("docker update -m 80m above a 48m memory+swap total succeeded: %v", r)
	}
	if limit, total := readLimits(); limit != strconv.Itoa(32<<20) || total != strconv.Itoa(48<<20) {
		t.Errorf("after a refused update: %s %s, want %d %d", limit, total, 32<<20, 48<<20)
	}
	d.MustDocker(t, "rm", "--force", id)
	assertDockerClean(t, d, id, baseline, rootfs)
}

// TestUpdateFlagsParity runs the same `update` command lines, flags and
// -r FILE, against a running container of runc and of ours, and compares
// their exit codes and the limits the container then reads from inside.
// The memory steps raise above the current memory+swap total and lower
// below the current limit; a quota alone must keep the period; memory
// alone above the recorded swap total must fail for both.
func TestUpdateFlagsParity(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); err != nil {
		testutil.Missing(t, "reads cgroup v1 memory and swap files (cgroup v2 updates are tested on a fake tree in internal/cgroup)")
	}
	runc := testutil.RequireTool(t, "runc")
	ours := command.OCIRuntime(t)
	rootfs := busyboxRootfs(t)
	resources := filepath.Join(t.TempDir(), "resources.json")
	if err := os.WriteFile(resources, []byte(`{"memory": {"limit": 100663296, "swap": 201326592}, "cpu": {"shares": 256, "quota": 0, "period": 0}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{
		"memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes", "memory/memory.soft_limit_in_bytes",
		"cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares", "pids/pids.max", "cpuset/cpuset.cpus",
	}
	steps := [][]string{
		{"--memory", "256m", "--memory-swap", "512m"},
		{"--memory", "32m", "--memory-swap", "48m", "--memory-reservation", "16m"},
		{"--cpu-quota", "20000"},
		{"--cpu-period", "200000"},
		{"--cpu-share", "512", "--pids-limit", "10", "--cpuset-cpus", "0"},
		{"--memory", "512m"},
		{"-r", resources},
		{"--pids-limit", "-1"},
	}
	type outcome struct {
		code   int
		limits string
	}
	results := map[string][]outcome{}
	for _, rt := range []*ociRuntime{{name: "runc", bin: runc}, {name: "container-runtime-oci", bin: ours}} {
		dir := t.TempDir()
		rt.root, rt.dir, rt.rootfs = filepath.Join(dir, "root"), dir, rootfs
		rt.cgroupParent = uniqueName("ocicompat-update-" + rt.name)
		host.CleanupCgroupParent(t, rt.cgroupParent) // after the delete below
		const id = "updated"
		t.Cleanup(func() { rt.cli(t, "delete", "--force", id) })
		bundle := rt.bundle(t, runc, id, "sleep", "100")
		editSpec(t, bundle, func(spec map[string]any) {
			spec["linux"].(map[string]any)["resources"] = map[string]any{
				"memory": map[string]any{"limit": 64 << 20, "swap": 128 << 20},
				"cpu":    map[string]any{"quota": 50000, "period": 100000},
				"pids":   map[string]any{"limit": 20},
			}
		})
		if r := rt.cli(t, "create", "--bundle", bundle, id); r.Code != 0 {
			t.Fatalf("%s create: %v", rt.name, r)
		}
		if r := rt.cli(t, "start", id); r.Code != 0 {
			t.Fatalf("%s start: %v", rt.name, r)
		}
		for _, args := range steps {
			r := rt.cli(t, append(append([]string{"update"}, args...), id)...)
			cat := rt.cli(t, append([]string{"exec", id, "cat"}, prefixAll("/sys/fs/cgroup/", files)...)...)
			if cat.Code != 0 {
				t.Fatalf("%s: reading the limits inside: %v", rt.name, cat)
			}
			results[rt.name] = append(results[rt.name], outcome{r.Code, strings.Join(strings.Fields(cat.Stdout), " ")})
			if r.Code != 0 {
				t.Logf("%s update %v: %v", rt.name, args, r)
			}
		}
		// Only ours: what runc accepts and ignores is refused clearly.
		if rt.bin == ours {
			r := rt.cli(t, "update", "--kernel-memory", "10m", id)
			if r.Code != 1 || !strings.Contains(r.Stderr, "kernel memory") {
				t.Errorf("update --kernel-memory: want exit 1 and a message about kernel memory: %v", r)
			}
			r = rt.cli(t, "update", "-r", resources, "--memory", "64m", id)
			if r.Code != 1 || !strings.Contains(r.Stderr, "--resources cannot be combined") {
				t.Errorf("update -r with --memory: want exit 1 saying they cannot be combined: %v", r)
			}
		}
	}
	want, got := results["runc"], results["container-runtime-oci"]
	for i, args := range steps {
		if i >= len(want) || i >= len(got) {
			t.Fatalf("step %d missing: runc %d, ours %d", i, len(want), len(got))
		}
		if got[i] != want[i] {
			t.Errorf("update %v:\n ours: exit %d, inside %s\n runc: exit %d, inside %s\n (files %v)",
				args, got[i].code, got[i].limits, want[i].code, want[i].limits, files)
		}
	}
	// The steps must have changed something, and the refused one must
	// have been refused: a comparison of two no-ops proves nothing.
	if len(got) == len(steps) && (got[0].code != 0 || !strings.HasPrefix(got[0].limits, strconv.Itoa(256<<20)) || got[5].code == 0) {
		t.Errorf("ours: first update %+v, memory alone above the total %+v", got[0], got[5])
	}
}

func prefixAll(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
