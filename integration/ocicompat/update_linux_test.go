package ocicompat

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
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
	runtime := ociBinary(t)
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
