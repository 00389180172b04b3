package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/image"
)

// peerDocker is a private dockerd (and the containerd it starts) with
// everything of its own under dir, as integration/ocicompat's TestDocker
// runs it: its own data root, exec root, pidfile, socket, config and trust
// key; no iptables, no bridge, no IP forwarding or masquerading, so the
// host's network and firewall are left alone. It runs in a cgroup of its
// own that accounts its CPU time and that of its build containers.
type peerDocker struct {
	dir    string
	host   string // -H value
	client string
	env    []string
	cg     *cpuGroup
	cmd    *exec.Cmd
	done   chan struct{} // closed when cmd.Wait returned
	log    string
	// hostPaths are the paths outside dir that dockerd's containerd
	// makes (its opt plugin, the shims' sockets), and whether they
	// existed before.
	hostPaths map[string]bool
	// firewall is the docker-related firewall lines before the start.
	firewall []string
}

// dockerClient prefers the client of Debian's docker.io, which matches its
// dockerd (a newer client in PATH wants the buildx plugin for BuildKit).
func dockerClient() (string, error) {
	const debian = "/usr/bin/docker"
	if _, err := os.Stat(debian); err == nil {
		return debian, nil
	}
	return exec.LookPath("docker")
}

// startPeerDocker starts the private dockerd under work, waits until it
// answers and imports baseTar as base. It returns nil and the reason when
// docker is not installed or does not start.
func startPeerDocker(ctx context.Context, work, baseTar string) (*peerDocker, string) {
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		return nil, "dockerd not installed"
	}
	if _, err := exec.LookPath("containerd"); err != nil {
		return nil, "containerd (needed by dockerd) not installed"
	}
	client, err := dockerClient()
	if err != nil {
		return nil, "the docker client is not installed"
	}
	d, err := launchDockerd(ctx, work, dockerd, client)
	if err != nil {
		return nil, "dockerd did not start: " + oneLine(err)
	}
	if out, err := d.docker(ctx, nil, "import",
		"--change", "ENV PATH="+image.DefaultPath, "--change", `CMD ["/bin/bash"]`,
		baseTar, "base"); err != nil {
		d.close()
		return nil, fmt.Sprintf("docker import of the base failed: %v: %s", err, oneLine(errors.New(out)))
	}
	return d, ""
}

// dockerHostPaths are the paths outside its directories that dockerd's
// containerd makes: its opt plugin and the shims' sockets.
func dockerHostPaths() []string {
	return []string{"/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib",
		"/run/containerd", "/run/containerd/s", "/run/containerd/fifo"}
}

func launchDockerd(ctx context.Context, work, dockerd, client string) (*peerDocker, error) {
	dir := filepath.Join(work, "docker")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	d := &peerDocker{
		dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock"), client: client,
		log: filepath.Join(dir, "dockerd.log"), done: make(chan struct{}),
		// The client keeps its configuration here, not in ~/.docker.
		env:       append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(dir, "client")),
		firewall:  dockerFirewall(),
		hostPaths: existed(dockerHostPaths()...),
	}
	cg, err := newCPUGroup(cgroupName(os.Getpid()))
	if err != nil {
		return nil, err
	}
	d.cg = cg
	// Our own config file keeps the host's /etc/docker/daemon.json out;
	// without a key path dockerd writes /etc/docker/key.json.
	config := filepath.Join(dir, "daemon.json")
	keyPath := strconv.Quote(filepath.Join(dir, "key.json"))
	if err := os.WriteFile(config, []byte(`{"deprecated-key-path": `+keyPath+"}\n"), 0o644); err != nil {
		d.removeCgroup()
		return nil, err
	}
	args := []string{
		"--config-file", config,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"-H", d.host,
		"--iptables=false", "--ip6tables=false", "--bridge=none",
		"--ip-forward=false", "--ip-masq=false",
		"--cgroup-parent", cg.containerParent(),
	}
	logFile, err := os.Create(d.log)
	if err != nil {
		d.removeCgroup()
		return nil, err
	}
	defer logFile.Close()
	// The shell joins the accounting cgroup, then becomes dockerd: dockerd
	// and everything it starts are in the cgroup from the first
	// instruction.
	d.cmd = exec.Command("sh", append([]string{"-c", `echo $$ > "$1" && shift && exec "$0" "$@"`,
		dockerd, cg.daemonProcs()}, args...)...)
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	// Its own process group: a ^C at the terminal reaches us, and we stop
	// it in order.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		d.removeCgroup()
		return nil, err
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := d.docker(ctx, nil, "version"); err == nil {
			return d, nil
		}
		switch {
		case d.exited():
			err = fmt.Errorf("dockerd exited: %v: %s", d.cmd.ProcessState, tail(d.log, 10))
		case ctx.Err() != nil:
			err = ctx.Err()
		case time.Now().After(deadline):
			err = fmt.Errorf("dockerd did not answer within 60s: %s", tail(d.log, 10))
		}
		if err != nil {
			d.close()
			return nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// docker runs the client against our dockerd with extra environment and
// returns its combined output.
func (d *peerDocker) docker(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.client, append([]string{"-H", d.host}, args...)...)
	cmd.Env = append(d.env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (d *peerDocker) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// close removes what containers are left, stops dockerd by its PID
// (SIGTERM, SIGKILL after 60s, then its containerd if that survived),
// unmounts what it left under its directory, removes its cgroups and the
// host paths its containerd made, and says whether the firewall changed.
func (d *peerDocker) close() {
	ctx := context.Background()
	if !d.exited() {
		if out, err := d.docker(ctx, nil, "ps", "--all", "--quiet"); err == nil {
			for _, id := range strings.Fields(out) {
				d.docker(ctx, nil, "rm", "--force", id)
			}
		}
		_ = syscall.Kill(d.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(60 * time.Second):
			fmt.Fprintf(os.Stderr, "buildcompare: dockerd (pid %d) did not exit 60s after SIGTERM; killing it\n", d.cmd.Process.Pid)
			_ = syscall.Kill(d.cmd.Process.Pid, syscall.SIGKILL)
			<-d.done
		}
	}
	d.killContainerd()
	if err := unmountUnder(d.dir); err != nil {
		fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
	}
	d.removeCgroup()
	removeIfNew(d.hostPaths)
	if after := dockerFirewall(); strings.Join(after, "\n") != strings.Join(d.firewall, "\n") {
		fmt.Fprintf(os.Stderr, "buildcompare: warning: docker-related firewall rules changed:\nbefore: %q\nafter: %q\n", d.firewall, after)
	}
}

func (d *peerDocker) removeCgroup() {
	if err := d.cg.remove(); err != nil {
		fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
	}
}

// killContainerd kills the containerd our dockerd started if it outlived
// dockerd.
func (d *peerDocker) killContainerd() { killContainerdOf(d.dir) }

// killContainerdOf kills the containerd a dockerd with its directories in
// dir started, by the PID in its pidfile: only when that process runs with
// that exec root.
func killContainerdOf(dir string) {
	execRoot := filepath.Join(dir, "exec")
	if pid := pidRunningWith(filepath.Join(execRoot, "containerd", "containerd.pid"), execRoot); pid > 0 {
		fmt.Fprintf(os.Stderr, "buildcompare: killing dockerd's containerd (pid %d)\n", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
}

// pidRunningWith returns the PID in pidfile when that process is alive and
// its command line contains mark; 0 otherwise.
func pidRunningWith(pidfile, mark string) int {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return 0
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmdline), mark) {
		return 0
	}
	return pid
}

// waitGone waits until pid no longer exists, at most timeout, and reports
// whether it is gone.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// dockerFirewall is the lines of the host's firewall (nft, iptables-save)
// that mention docker: dockerd would add such rules if it touched the
// firewall. Other tables are not compared: other tests may change them
// meanwhile.
func dockerFirewall() []string {
	var lines []string
	for _, tool := range [][]string{{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			continue
		}
		out, _ := exec.Command(tool[0], tool[1:]...).Output()
		for line := range strings.SplitSeq(string(out), "\n") {
			if strings.Contains(strings.ToLower(line), "docker") {
				lines = append(lines, tool[0]+": "+strings.TrimSpace(line))
			}
		}
	}
	return lines
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
