package distribution

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// cmdTimeout bounds one docker command.
const cmdTimeout = 2 * time.Minute

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: starts dockerd and containers, and writes layers")
	}
}

func requireTools(t testing.TB, names ...string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			t.Skipf("needs %s (scripts/deps-debian installs it): %v", n, err)
		}
		paths[n] = p
	}
	return paths
}

// result is what one command did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("%q: exit %d\nstdout: %s\nstderr: %s", r.args, r.code, r.stdout, r.stderr)
}

// run runs a command, bounded by cmdTimeout (exit code -1 when killed).
// Output goes through files: a process the command leaves running may
// hold pipes open.
func run(t testing.TB, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	stdout, stderr := outputFile(t), outputFile(t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	r := result{args: append([]string{name}, args...), stdout: readBack(t, stdout), stderr: readBack(t, stderr)}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code = -1
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %q: %v", r.args, err)
	}
	return r
}

func outputFile(t testing.TB) *os.File {
	t.Helper()
	f, err := os.CreateTemp("", "distribution-output-")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f.Name())
	return f
}

func readBack(t testing.TB, f *os.File) string {
	t.Helper()
	defer f.Close()
	b, err := os.ReadFile("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dockerd is a private dockerd and the client that reaches it.
type dockerd struct {
	dir, host, client string
	cgroupParent      string
	cmd               *exec.Cmd
	done              chan struct{}
}

// startDockerd starts dockerd with everything of its own in a temporary
// directory, no bridge and no iptables, and waits until it answers.
func startDockerd(t *testing.T) *dockerd {
	t.Helper()
	tools := requireTools(t, "dockerd", "containerd", "containerd-shim-runc-v2", "runc")
	client := "/usr/bin/docker" // Debian's, matching its dockerd
	if _, err := os.Stat(client); err != nil {
		client = requireTools(t, "docker")["docker"]
	}
	// Short: containerd's socket under the exec root must fit in sun_path.
	dir, err := os.MkdirTemp("", "dist-docker-")
	if err != nil {
		t.Fatal(err)
	}
	d := &dockerd{dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock"), client: client,
		cgroupParent: fmt.Sprintf("dist-docker-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6), done: make(chan struct{})}
	config := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(config, []byte(`{"deprecated-key-path": `+strconv.Quote(filepath.Join(dir, "key.json"))+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	d.cmd = exec.Command(tools["dockerd"],
		"--config-file", config,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"-H", d.host,
		"--iptables=false", "--ip6tables=false", "--bridge=none",
		"--ip-forward=false", "--ip-masq=false",
		"--cgroup-parent", "/"+d.cgroupParent,
	)
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting dockerd: %v", err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() { d.stop(t) })
	deadline := time.Now().Add(60 * time.Second)
	for run(t, client, "-H", d.host, "version").code != 0 {
		select {
		case <-d.done:
			t.Fatalf("dockerd exited while starting:\n%s", d.logTail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd did not answer within a minute:\n%s", d.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	return d
}

func (d *dockerd) logTail() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dockerd.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// docker runs a docker command against our dockerd.
func (d *dockerd) docker(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, d.client, append([]string{"-H", d.host}, args...)...)
}

// mustDocker runs a docker command that must succeed; it returns stdout.
func (d *dockerd) mustDocker(t testing.TB, args ...string) string {
	t.Helper()
	r := d.docker(t, args...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return strings.TrimSpace(r.stdout)
}

// stop removes leftover containers, stops dockerd by its PID (SIGKILL
// after a minute), and removes its directory and cgroup parent.
func (d *dockerd) stop(t testing.TB) {
	t.Helper()
	for _, id := range strings.Fields(d.docker(t, "ps", "--all", "--quiet", "--no-trunc").stdout) {
		t.Errorf("container %s left; removing it", id)
		d.docker(t, "rm", "--force", id)
	}
	_ = unix.Kill(d.cmd.Process.Pid, unix.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(time.Minute):
		t.Errorf("dockerd did not stop on SIGTERM; killing it")
		_ = unix.Kill(d.cmd.Process.Pid, unix.SIGKILL)
		<-d.done
	}
	unmountUnder(t, d.dir)
	if err := os.RemoveAll(d.dir); err != nil {
		t.Errorf("removing dockerd's directory: %v", err)
	}
	removeCgroupParent(t, d.cgroupParent)
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(t testing.TB, dir string) {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		t.Errorf("reading mountinfo: %v", err)
		return
	}
	slices.SortFunc(mounts, func(a, b *mountinfo.Info) int { return len(b.Mountpoint) - len(a.Mountpoint) })
	for _, m := range mounts {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			t.Errorf("unmounting %s: %v", m.Mountpoint, err)
		}
	}
}

// removeCgroupParent removes the containers' cgroup parent from every
// hierarchy, reporting children left in it.
func removeCgroupParent(t testing.TB, rel string) {
	t.Helper()
	const base = "/sys/fs/cgroup"
	roots := []string{base}
	if _, err := os.Stat(filepath.Join(base, "cgroup.controllers")); err != nil {
		entries, _ := os.ReadDir(base)
		roots = nil
		for _, e := range entries {
			if e.IsDir() {
				roots = append(roots, filepath.Join(base, e.Name()))
			}
		}
	}
	for _, root := range roots {
		p := filepath.Join(root, rel)
		entries, err := os.ReadDir(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				t.Errorf("cgroup %s left behind", filepath.Join(p, e.Name()))
				_ = unix.Rmdir(filepath.Join(p, e.Name()))
			}
		}
		if err := unix.Rmdir(p); err != nil && !errors.Is(err, unix.ENOENT) {
			t.Errorf("removing cgroup %s: %v", p, err)
		}
	}
}

// firewall dumps what dockerd would change of the packet filter:
// iptables-save and ip6tables-save (time comments dropped).
func firewall(t testing.TB) string {
	t.Helper()
	var out []string
	for _, tool := range []string{"iptables-save", "ip6tables-save"} {
		if _, err := exec.LookPath(tool); err != nil {
			continue
		}
		r := run(t, tool)
		for line := range strings.SplitSeq(r.stdout, "\n") {
			if !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}
