package ocicompat

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// dockerd is a private dockerd (with the containerd it starts) that knows
// our runtime as "crt", and the docker client that reaches it.
type dockerd struct {
	*daemon
	dir    string
	host   string // -H value
	client string
	// cgroupParent holds the containers' cgroups: /<cgroupParent>/<id>.
	cgroupParent string
}

// runtimeName is what dockerd calls our runtime (--add-runtime).
const runtimeName = "crt"

// dockerClient prefers the client of Debian's docker.io, which matches
// its dockerd; another in PATH will do.
func dockerClient(t testing.TB) string {
	t.Helper()
	const debian = "/usr/bin/docker"
	if _, err := os.Stat(debian); err == nil {
		return debian
	}
	return requireTools(t, "docker")["docker"]
}

// startDockerd starts dockerd with everything of its own (data, exec
// root, pidfile, socket, config, trust key) in a temporary directory and
// nothing that touches the host's network, waits until it answers, and
// registers its stop and the removal of what it left.
func startDockerd(t *testing.T, tools map[string]string, client, runtime string) *dockerd {
	t.Helper()
	// Short: containerd's socket under the exec root must fit in
	// sun_path.
	dir, err := os.MkdirTemp("", "ocicompat-docker-")
	if err != nil {
		t.Fatal(err)
	}
	d := &dockerd{dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock"), client: client,
		cgroupParent: uniqueName("ocicompat-docker")}
	// Our own config file keeps the host's /etc/docker/daemon.json out;
	// without a key path dockerd writes /etc/docker/key.json.
	config := filepath.Join(dir, "daemon.json")
	keyPath := strconv.Quote(filepath.Join(dir, "key.json"))
	if err := os.WriteFile(config, []byte(`{"deprecated-key-path": `+keyPath+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"--config-file", config,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"-H", d.host,
		"--iptables=false", "--ip6tables=false", "--bridge=none",
		"--ip-forward=false", "--ip-masq=false",
		"--cgroup-parent", "/" + d.cgroupParent,
		"--add-runtime", runtimeName + "=" + runtime,
		"--default-runtime", "runc",
	}
	// dockerd's containerd makes /opt/containerd (its opt plugin) and
	// the shims /run/containerd/s.
	hostDirs := existed("/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib",
		"/run/containerd", "/run/containerd/s", "/run/containerd/fifo")
	d.daemon = startDaemon(t, dir, tools["dockerd"], args...)
	t.Cleanup(func() {
		d.removeAll(t)
		if !d.stop(t, 60*time.Second) {
			d.killContainerd(t)
		}
		unmountUnder(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing dockerd's directory: %v", err)
		}
		removeCgroupParent(t, d.cgroupParent)
		removeIfNew(t, hostDirs)
	})
	d.waitReady(t, 60*time.Second, func() bool {
		return run(t, d.client, "-H", d.host, "version").code == 0
	})
	return d
}

// killContainerd kills the containerd our dockerd started, by the PID in
// its pidfile, when dockerd could not stop it: only if that process is
// the one running with our exec root.
func (d *dockerd) killContainerd(t testing.TB) {
	t.Helper()
	exec := filepath.Join(d.dir, "exec")
	b, err := os.ReadFile(filepath.Join(exec, "containerd", "containerd.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err == nil && strings.Contains(string(cmdline), exec) {
		t.Logf("killing dockerd's containerd (pid %d)", pid)
		_ = unix.Kill(pid, unix.SIGKILL)
	}
}

// docker runs a docker command against our dockerd.
func (d *dockerd) docker(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, d.client, append([]string{"-H", d.host}, args...)...)
}

// mustDocker runs a docker command that must succeed and returns its
// trimmed stdout.
func (d *dockerd) mustDocker(t testing.TB, args ...string) string {
	t.Helper()
	r := d.docker(t, args...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return strings.TrimSpace(r.stdout)
}

// runArgs is `docker run` with our runtime and no network.
func runArgs(flags ...string) []string {
	return append([]string{"run", "--runtime", runtimeName, "--network", "none"}, flags...)
}

// removeAll force-removes the containers a failed test left.
func (d *dockerd) removeAll(t testing.TB) {
	t.Helper()
	for _, id := range strings.Fields(d.docker(t, "ps", "--all", "--quiet", "--no-trunc").stdout) {
		t.Logf("removing leftover container %s", id)
		d.docker(t, "rm", "--force", id)
	}
}

// assertClean checks that dockerd holds no container, our runtime no
// state, and the host no mount or cgroup of the container id (a full ID,
// or "" when unknown).
func (d *dockerd) assertClean(t *testing.T, id string, mounts mountTable, rootfs string) {
	t.Helper()
	if r := d.docker(t, "ps", "--all", "--quiet"); r.code != 0 || strings.TrimSpace(r.stdout) != "" {
		t.Errorf("dockerd still lists containers: %v", r)
	}
	stateDir := filepath.Join(d.dir, "exec", "runtime-"+runtimeName, "moby")
	if entries, err := os.ReadDir(stateDir); err == nil && len(entries) > 0 {
		t.Errorf("runtime state left in %s: %v", stateDir, entries)
	}
	assertNoNewMounts(t, mounts, []string{d.dir, filepath.Dir(rootfs)}, nil)
	if id != "" {
		assertNoCgroup(t, filepath.Join(d.cgroupParent, id))
	}
}

func TestDocker(t *testing.T) {
	requireRoot(t)
	tools := requireTools(t, "dockerd", "containerd", "containerd-shim-runc-v2", "runc")
	client := dockerClient(t)
	runtime := ociBinary(t)
	rootfs := busyboxRootfs(t)

	// Registered first, so checked last: after dockerd has stopped.
	fw := readFirewall(t)
	t.Cleanup(func() { assertSameFirewall(t, fw) })
	d := startDockerd(t, tools, client, runtime)

	tarball := filepath.Join(t.TempDir(), "busybox.tar")
	writeTarball(t, rootfs, tarball)
	d.mustDocker(t, "import", tarball, "busybox:test")
	baseline := readMounts(t)

	t.Run("run --rm echo", func(t *testing.T) {
		r := d.docker(t, runArgs("--rm", "busybox:test", "/bin/echo", "hello")...)
		if r.code != 0 || r.stdout != "hello\n" {
			t.Errorf("want exit 0 and \"hello\\n\", got %v", r)
		}
		d.assertClean(t, "", baseline, rootfs)
	})

	t.Run("tty", func(t *testing.T) {
		r := d.docker(t, runArgs("--rm", "--tty", "busybox:test", "tty")...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "/dev/pts/") {
			t.Errorf("want exit 0 and a /dev/pts/ device, got %v", r)
		}
		d.assertClean(t, "", baseline, rootfs)
	})

	t.Run("exit code", func(t *testing.T) {
		r := d.docker(t, runArgs("--rm", "busybox:test", "/bin/sh", "-c", "exit 3")...)
		if r.code != 3 {
			t.Errorf("want exit 3, got %v", r)
		}
		d.assertClean(t, "", baseline, rootfs)
	})

	t.Run("command not found", func(t *testing.T) {
		// dockerd maps a create error saying "no such file or
		// directory" to 127, as a shell does.
		r := d.docker(t, runArgs("--rm", "busybox:test", "/nonexistent")...)
		if r.code != 127 || !strings.Contains(r.stderr, "/nonexistent") {
			t.Errorf("want exit 127 and an error naming /nonexistent, got %v", r)
		}
		d.assertClean(t, "", baseline, rootfs)
	})

	t.Run("detached lifecycle", func(t *testing.T) {
		id := d.mustDocker(t, runArgs("--detach", "busybox:test", "sleep", "100")...)
		status := func() string { return d.mustDocker(t, "inspect", "--format", "{{.State.Status}}", id) }
		if s := status(); s != "running" {
			t.Fatalf("status %q, want running", s)
		}

		if out := d.mustDocker(t, "exec", id, "echo", "hi"); out != "hi" {
			t.Errorf("exec: output %q, want \"hi\"", out)
		}
		if r := d.docker(t, "exec", id, "sh", "-c", "exit 4"); r.code != 4 {
			t.Errorf("exec exit code: want 4, got %v", r)
		}
		// A terminal for the exec: the shim's console socket.
		if out := d.mustDocker(t, "exec", "--tty", id, "tty"); !strings.HasPrefix(out, "/dev/pts/") {
			t.Errorf("exec --tty: tty says %q, want a /dev/pts/ device", out)
		}

		// top runs our `ps` for the PIDs and ps(1) for the table.
		pid := d.mustDocker(t, "inspect", "--format", "{{.State.Pid}}", id)
		top := d.mustDocker(t, "top", id)
		lines := strings.Split(top, "\n")
		if !strings.Contains(lines[0], "PID") || len(lines) != 2 ||
			!strings.Contains(lines[1], pid) || !strings.Contains(lines[1], "sleep 100") {
			t.Errorf("top: want a PID header and one line for %s (sleep 100), got:\n%s", pid, top)
		}

		d.mustDocker(t, "pause", id)
		if s := status(); s != "paused" {
			t.Errorf("after pause: status %q, want paused", s)
		}
		d.mustDocker(t, "unpause", id)
		if s := status(); s != "running" {
			t.Errorf("after unpause: status %q, want running", s)
		}

		// sleep, as PID 1, ignores SIGTERM: stop ends it with SIGKILL.
		d.mustDocker(t, "stop", "--time", "1", id)
		if s := status(); s != "exited" {
			t.Errorf("after stop: status %q, want exited", s)
		}
		if code := d.mustDocker(t, "inspect", "--format", "{{.State.ExitCode}}", id); code != "137" {
			t.Errorf("after stop: exit code %s, want 137 (SIGKILL)", code)
		}
		d.mustDocker(t, "rm", id)
		d.assertClean(t, id, baseline, rootfs)
	})

	t.Run("memory limit", func(t *testing.T) {
		// cgroup v1 (or hybrid) shows the limit in the memory
		// hierarchy, cgroup v2 in memory.max.
		r := d.docker(t, runArgs("--rm", "--memory", "64m", "busybox:test", "/bin/sh", "-c",
			"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != strconv.Itoa(64<<20) {
			t.Errorf("want the container to read its limit %d, got %v", 64<<20, r)
		}
		d.assertClean(t, "", baseline, rootfs)
	})
}
