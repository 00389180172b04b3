package ocicompat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// containerd is a private containerd and the ctr invocation that reaches
// it and runs containers with our runtime.
type containerd struct {
	*daemon
	dir     string // everything of the daemon lives here
	address string // gRPC socket
	ctr     string
	runtime string // container-runtime-oci
	rootfs  string
	// cgroupParent holds the containers' cgroups: /<cgroupParent>/<id>.
	cgroupParent string
}

// containerdNamespace is the containerd namespace the tests use.
const containerdNamespace = "ocicompat"

// startContainerd starts a containerd whose config, root, state and
// sockets are in a temporary directory, waits until it answers, and
// registers its stop.
func startContainerd(t *testing.T, runtime, rootfs string) *containerd {
	t.Helper()
	bin := testutil.RequireTool(t, "containerd")
	testutil.RequireTool(t, "containerd-shim-runc-v2")
	dir := t.TempDir()
	c := &containerd{
		dir: dir, address: filepath.Join(dir, "containerd.sock"), ctr: testutil.RequireTool(t, "ctr"),
		runtime: runtime, rootfs: rootfs, cgroupParent: uniqueName("ocicompat-containerd"),
	}
	// The CRI plugin would want CNI and a sandbox image; the opt plugin
	// would make /opt/containerd.
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %q

[ttrpc]
  address = %q

[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), c.address, c.address+".ttrpc", filepath.Join(dir, "opt"))
	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	hostDirs := host.Existed("/run/containerd", "/run/containerd/s", "/run/containerd/fifo")
	host.CleanupCgroupParent(t, c.cgroupParent) // after the stop below
	c.daemon = startDaemon(t, dir, bin, "--config", configPath)
	t.Cleanup(func() {
		c.removeAll(t)
		c.stop(t, 30*time.Second)
		host.RemoveNew(hostDirs)
	})
	c.waitReady(t, 30*time.Second, func() bool {
		return command.Run(t, c.ctr, "--address", c.address, "version").Code == 0
	})
	return c
}

// args prefixes a ctr command line with the address and namespace.
func (c *containerd) args(args ...string) []string {
	return append([]string{"--address", c.address, "--namespace", containerdNamespace}, args...)
}

// runArgs is `ctr run` with our runtime, the container's cgroup under
// cgroupParent, flags, the rootfs, id and the command.
func (c *containerd) runArgs(flags []string, id string, command ...string) []string {
	args := c.args("run",
		"--runc-binary", c.runtime,
		"--runc-root", filepath.Join(c.dir, "runtime-root"),
		"--fifo-dir", filepath.Join(c.dir, "fifo"),
		"--cgroup", "/"+c.cgroupParent+"/"+id)
	args = append(args, flags...)
	args = append(args, "--rootfs", c.rootfs, id)
	return append(args, command...)
}

// ctrRun runs a ctr command and returns its result.
func (c *containerd) ctrRun(t testing.TB, args ...string) command.Result {
	t.Helper()
	return command.Run(t, c.ctr, c.args(args...)...)
}

// taskStatus returns the PID and status `ctr task ls` shows for id, or
// 0 and "" when it lists no such task.
func (c *containerd) taskStatus(t testing.TB, id string) (int, string) {
	t.Helper()
	r := c.ctrRun(t, "task", "ls")
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	for _, line := range strings.Split(r.Stdout, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == id {
			pid, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("task ls: PID %q of %s: %v", f[1], id, err)
			}
			return pid, f[2]
		}
	}
	return 0, ""
}

// assertClean checks that containerd holds no container or task, that
// our runtime's state directory is empty, and that neither mounts nor the
// cgroup of id are left on the host.
func (c *containerd) assertClean(t *testing.T, id string, mounts mountTable) {
	t.Helper()
	for _, what := range []string{"containers", "tasks"} {
		r := c.ctrRun(t, what, "ls", "--quiet")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("containerd still lists %s: %v", what, r)
		}
	}
	stateDir := filepath.Join(c.dir, "runtime-root", containerdNamespace)
	if entries, err := os.ReadDir(stateDir); err == nil && len(entries) > 0 {
		t.Errorf("runtime state left in %s: %v", stateDir, entries)
	}
	assertNoNewMounts(t, mounts, []string{c.dir, filepath.Dir(c.rootfs), "/run/containerd"},
		[]string{filepath.Join(c.dir, "root"), filepath.Join(c.dir, "state")})
	assertNoCgroup(t, filepath.Join(c.cgroupParent, id))
}

// removeAll kills and removes whatever task and container a failed test
// left, so that containerd can stop.
func (c *containerd) removeAll(t testing.TB) {
	t.Helper()
	r := c.ctrRun(t, "containers", "ls", "--quiet")
	for _, id := range strings.Fields(r.Stdout) {
		t.Logf("removing leftover container %s", id)
		c.ctrRun(t, "task", "kill", "--signal", "SIGKILL", id)
		c.ctrRun(t, "task", "delete", "--force", id)
		c.ctrRun(t, "containers", "rm", id)
	}
}

func TestContainerd(t *testing.T) {
	testutil.RequireRoot(t)
	c := startContainerd(t, command.OCIRuntime(t), busyboxRootfs(t))
	baseline := readMounts(t)

	t.Run("run --rm echo", func(t *testing.T) {
		const id = "echo"
		r := command.Run(t, c.ctr, c.runArgs([]string{"--rm"}, id, "/bin/echo", "hello")...)
		if r.Code != 0 || r.Stdout != "hello\n" {
			t.Errorf("want exit 0 and \"hello\\n\", got %v", r)
		}
		c.assertClean(t, id, baseline)
	})

	t.Run("exit code", func(t *testing.T) {
		const id = "exitcode"
		r := command.Run(t, c.ctr, c.runArgs([]string{"--rm"}, id, "/bin/sh", "-c", "exit 7")...)
		if r.Code != 7 {
			t.Errorf("want exit 7, got %v", r)
		}
		c.assertClean(t, id, baseline)
	})

	t.Run("detached task", func(t *testing.T) {
		const id = "detached"
		command.MustRun(t, c.ctr, c.runArgs([]string{"--detach"}, id, "/bin/sleep", "100")...)
		pid, status := c.taskStatus(t, id)
		if status != "RUNNING" || pid <= 0 {
			t.Fatalf("task ls: pid %d status %q, want a PID and RUNNING", pid, status)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			t.Errorf("task PID %d: %v", pid, err)
		}

		r := c.ctrRun(t, "task", "exec", "--exec-id", "e1", id, "/bin/sh", "-c", "echo $$")
		if n, err := strconv.Atoi(strings.TrimSpace(r.Stdout)); r.Code != 0 || err != nil || n <= 1 {
			t.Errorf("exec: want exit 0 and a PID above 1 (the PID namespace's), got %v", r)
		}
		r = c.ctrRun(t, "task", "exec", "--exec-id", "e2", id, "/bin/sh", "-c", "exit 5")
		if r.Code != 5 {
			t.Errorf("exec exit code: want 5, got %v", r)
		}
		// A terminal for the exec: the shim's console socket.
		out, code := c.runOnPty(t, c.args("task", "exec", "--tty", "--exec-id", "e3", id, "/bin/sh", "-c", "tty; echo hi$((6*7))"), "")
		if code != 0 || !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "hi42") {
			t.Errorf("exec --tty: exit %d, want 0, a /dev/pts/ tty and \"hi42\":\n%q", code, out)
		}
		r = c.ctrRun(t, "task", "ps", id)
		if r.Code != 0 || !strings.Contains(r.Stdout, strconv.Itoa(pid)) {
			t.Errorf("task ps: want PID %d listed, got %v", pid, r)
		}

		command.MustRun(t, c.ctr, c.args("task", "pause", id)...)
		if _, status := c.taskStatus(t, id); status != "PAUSED" {
			t.Errorf("after pause: status %q, want PAUSED", status)
		}
		command.MustRun(t, c.ctr, c.args("task", "resume", id)...)
		if _, status := c.taskStatus(t, id); status != "RUNNING" {
			t.Errorf("after resume: status %q, want RUNNING", status)
		}

		command.MustRun(t, c.ctr, c.args("task", "kill", "--signal", "SIGKILL", id)...)
		testutil.WaitFor(t, 30*time.Second, "the task to stop", func() bool {
			_, status := c.taskStatus(t, id)
			return status == "STOPPED"
		})
		command.MustRun(t, c.ctr, c.args("task", "delete", id)...)
		command.MustRun(t, c.ctr, c.args("containers", "rm", id)...)
		c.assertClean(t, id, baseline)
	})

	t.Run("tty", func(t *testing.T) {
		const id = "tty"
		out, code := c.runOnPty(t, c.runArgs([]string{"--rm", "--tty"}, id, "/bin/sh"), "echo hi$((6*7)); exit\n")
		// The shell computes 42: the typed line, echoed back, holds no "hi42".
		if code != 0 || !strings.Contains(out, "hi42") {
			t.Errorf("tty run: exit %d, want 0 and \"hi42\" in the output:\n%q", code, out)
		}
		c.assertClean(t, id, baseline)
	})
}

// runOnPty runs ctr with a pseudo-terminal as its stdio (ctr run --tty
// wants one), types input, and returns everything ctr wrote and its exit
// code.
func (c *containerd) runOnPty(t testing.TB, args []string, input string) (string, int) {
	t.Helper()
	cmd := exec.Command(c.ctr, args...)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatalf("starting ctr on a pty: %v", err)
	}
	defer master.Close()
	var out bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		// Reading the master fails with EIO once ctr, the last holder
		// of the slave, has exited.
		_, err := io.Copy(&out, master)
		copied <- err
	}()
	if input != "" {
		if _, err := io.WriteString(master, input); err != nil {
			t.Errorf("typing into the pty: %v", err)
		}
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var werr error
	timedOut := false
	select {
	case werr = <-waited:
	case <-time.After(command.Timeout):
		timedOut = true
		_ = cmd.Process.Kill()
		werr = <-waited
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		// The copy still runs: out must not be read.
		t.Fatalf("the pty's output did not end after ctr exited")
	}
	if timedOut {
		t.Fatalf("ctr %q did not exit within %v; output:\n%q", args, command.Timeout, out.String())
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(werr, &exitErr):
		return out.String(), exitErr.ExitCode()
	case werr != nil:
		t.Fatalf("waiting for ctr: %v", werr)
	}
	return out.String(), 0
}
