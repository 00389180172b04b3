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
)

// runtimeName is what dockerd calls our runtime (--add-runtime).
const runtimeName = "crt"

// runArgs is `docker run` with our runtime and no network.
func runArgs(flags ...string) []string {
	return append([]string{"run", "--runtime", runtimeName, "--network", "none"}, flags...)
}

// assertDockerClean checks that dockerd holds no container, our runtime no
// state, and the host no mount or cgroup of the container id (a full ID,
// or "" when unknown).
func assertDockerClean(t *testing.T, d *dockerd.Test, id string, mounts mountTable, rootfs string) {
	t.Helper()
	if r := d.Docker(t, "ps", "--all", "--quiet"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("dockerd still lists containers: %v", r)
	}
	stateDir := filepath.Join(d.Dir, "exec", "runtime-"+runtimeName, "moby")
	if entries, err := os.ReadDir(stateDir); err == nil && len(entries) > 0 {
		t.Errorf("runtime state left in %s: %v", stateDir, entries)
	}
	assertNoNewMounts(t, mounts, []string{d.Dir, filepath.Dir(rootfs)}, nil)
	if id != "" {
		assertNoCgroup(t, filepath.Join(d.CgroupParent, id))
	}
}

func TestDocker(t *testing.T) {
	testutil.RequireRoot(t)
	runtime := command.OCIRuntime(t)
	rootfs := busyboxRootfs(t)
	// It fails the test if the firewall changed when it stops.
	d := dockerd.New(t, "--add-runtime", runtimeName+"="+runtime, "--default-runtime", "runc")

	tarball := filepath.Join(t.TempDir(), "busybox.tar")
	writeTarball(t, rootfs, tarball)
	d.MustDocker(t, "import", tarball, "busybox:test")
	baseline := readMounts(t)

	t.Run("run --rm echo", func(t *testing.T) {
		r := d.Docker(t, runArgs("--rm", "busybox:test", "/bin/echo", "hello")...)
		if r.Code != 0 || r.Stdout != "hello\n" {
			t.Errorf("want exit 0 and \"hello\\n\", got %v", r)
		}
		assertDockerClean(t, d, "", baseline, rootfs)
	})

	t.Run("tty", func(t *testing.T) {
		r := d.Docker(t, runArgs("--rm", "--tty", "busybox:test", "tty")...)
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "/dev/pts/") {
			t.Errorf("want exit 0 and a /dev/pts/ device, got %v", r)
		}
		assertDockerClean(t, d, "", baseline, rootfs)
	})

	t.Run("exit code", func(t *testing.T) {
		r := d.Docker(t, runArgs("--rm", "busybox:test", "/bin/sh", "-c", "exit 3")...)
		if r.Code != 3 {
			t.Errorf("want exit 3, got %v", r)
		}
		assertDockerClean(t, d, "", baseline, rootfs)
	})

	t.Run("command not found", func(t *testing.T) {
		// dockerd maps a create error saying "no such file or
		// directory" to 127, as a shell does.
		r := d.Docker(t, runArgs("--rm", "busybox:test", "/nonexistent")...)
		if r.Code != 127 || !strings.Contains(r.Stderr, "/nonexistent") {
			t.Errorf("want exit 127 and an error naming /nonexistent, got %v", r)
		}
		assertDockerClean(t, d, "", baseline, rootfs)
	})

	t.Run("detached lifecycle", func(t *testing.T) {
		id := d.MustDocker(t, runArgs("--detach", "busybox:test", "sleep", "100")...)
		status := func() string { return d.MustDocker(t, "inspect", "--format", "{{.State.Status}}", id) }
		if s := status(); s != "running" {
			t.Fatalf("status %q, want running", s)
		}

		if out := d.MustDocker(t, "exec", id, "echo", "hi"); out != "hi" {
			t.Errorf("exec: output %q, want \"hi\"", out)
		}
		if r := d.Docker(t, "exec", id, "sh", "-c", "exit 4"); r.Code != 4 {
			t.Errorf("exec exit code: want 4, got %v", r)
		}
		// A terminal for the exec: the shim's console socket.
		if out := d.MustDocker(t, "exec", "--tty", id, "tty"); !strings.HasPrefix(out, "/dev/pts/") {
			t.Errorf("exec --tty: tty says %q, want a /dev/pts/ device", out)
		}

		// top runs our `ps` for the PIDs and ps(1) for the table.
		pid := d.MustDocker(t, "inspect", "--format", "{{.State.Pid}}", id)
		top := d.MustDocker(t, "top", id)
		lines := strings.Split(top, "\n")
		if !strings.Contains(lines[0], "PID") || len(lines) != 2 ||
			!strings.Contains(lines[1], pid) || !strings.Contains(lines[1], "sleep 100") {
			t.Errorf("top: want a PID header and one line for %s (sleep 100), got:\n%s", pid, top)
		}

		d.MustDocker(t, "pause", id)
		if s := status(); s != "paused" {
			t.Errorf("after pause: status %q, want paused", s)
		}
		d.MustDocker(t, "unpause", id)
		if s := status(); s != "running" {
			t.Errorf("after unpause: status %q, want running", s)
		}

		// sleep, as PID 1, ignores SIGTERM: stop ends it with SIGKILL.
		d.MustDocker(t, "stop", "--time", "1", id)
		if s := status(); s != "exited" {
			t.Errorf("after stop: status %q, want exited", s)
		}
		if code := d.MustDocker(t, "inspect", "--format", "{{.State.ExitCode}}", id); code != "137" {
			t.Errorf("after stop: exit code %s, want 137 (SIGKILL)", code)
		}
		d.MustDocker(t, "rm", id)
		assertDockerClean(t, d, id, baseline, rootfs)
	})

	t.Run("memory limit", func(t *testing.T) {
		// cgroup v1 (or hybrid) shows the limit in the memory
		// hierarchy, cgroup v2 in memory.max.
		r := d.Docker(t, runArgs("--rm", "--memory", "64m", "busybox:test", "/bin/sh", "-c",
			"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")...)
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != strconv.Itoa(64<<20) {
			t.Errorf("want the container to read its limit %d, got %v", 64<<20, r)
		}
		assertDockerClean(t, d, "", baseline, rootfs)
	})
}
