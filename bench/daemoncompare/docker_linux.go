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
// everything of its own under dir, as bench/buildcompare and
// integration/ocicompat run it: its own data root, exec root, pidfile,
// socket, config and trust key; no iptables, no bridge, no IP forwarding
// or masquerading, so the host's network and firewall are left alone
// (which is also why only --network none is compared with docker). It is
// started in its accounting group (containerd and the shims are born
// there), and its containers get a cgroup parent outside it.
type peerDocker struct {
	dir    string
	host   string // -H value
	client string
	env    []string
	group  group
	parent string // --cgroup-parent of the containers
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
// dockerd (20.10).
func dockerClient() (string, error) {
	const debian = "/usr/bin/docker"
	if _, err := os.Stat(debian); err == nil {
		return debian, nil
	}
	return exec.LookPath("docker")
}

// dockerHostPaths are the paths outside its directories that dockerd's
// containerd makes: its opt plugin and the shims' sockets.
func dockerHostPaths() []string {
	return []string{"/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib",
		"/run/containerd", "/run/containerd/s", "/run/containerd/fifo"}
}

// startPeerDocker starts the private dockerd under work and waits until
// it answers. It returns nil and the reason when docker is not installed
// or does not start.
func startPeerDocker(ctx context.Context, work string, tree *cgroupTree) (*peerDocker, string) {
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
	d, err := launchDockerd(ctx, work, dockerd, client, tree)
	if err != nil {
		return nil, "dockerd did not start: " + oneLine(err)
	}
	return d, ""
}

func launchDockerd(ctx context.Context, work, dockerd, client string, tree *cgroupTree) (*peerDocker, error) {
	dir := filepath.Join(work, "docker")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	d := &peerDocker{
		dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock"), client: client,
		log: filepath.Join(dir, "dockerd.log"), done: make(chan struct{}),
		// The client keeps its configuration here, not in ~/.docker.
		env:       []string{"DOCKER_CONFIG=" + filepath.Join(dir, "client")},
		firewall:  dockerFirewall(),
		hostPaths: existed(dockerHostPaths()...),
		parent:    tree.path("docker-containers"),
	}
	var err error
	if d.group, err = tree.group("docker"); err != nil {
		return nil, err
	}
	// Our own config file keeps the host's /etc/docker/daemon.json out;
	// without a key path dockerd writes /etc/docker/key.json.
	config := filepath.Join(dir, "daemon.json")
	keyPath := strconv.Quote(filepath.Join(dir, "key.json"))
	if err := os.WriteFile(config, []byte(`{"deprecated-key-path": `+keyPath+"}\n"), 0o644); err != nil {
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
	}
	logFile, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	d.cmd = exec.Command(dockerd, args...)
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	// Its own process group: a ^C at the terminal reaches us, and we stop
	// it in order.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.group.enter(); err != nil {
		return nil, err
	}
	err = d.cmd.Start()
	if lerr := tree.leave(); err == nil {
		err = lerr
	}
	if err != nil {
		return nil, err
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := d.docker(ctx, "version"); err == nil {
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

// importBase imports the base tar as base, with our base's PATH and CMD.
func (d *peerDocker) importBase(ctx context.Context, baseTar string) error {
	if out, err := d.docker(ctx, "import",
		"--change", "ENV PATH="+image.DefaultPath, "--change", `CMD ["/bin/bash"]`,
		baseTar, "base"); err != nil {
		return fmt.Errorf("docker import of the base failed: %v: %s", err, oneLine(errors.New(out)))
	}
	return nil
}

// docker runs the client against our dockerd and returns its combined
// output.
func (d *peerDocker) docker(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.client, append([]string{"-H", d.host}, args...)...)
	cmd.Env = append(os.Environ(), d.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// runner is `docker run --rm --network none base /bin/true`; its CPU time
// is the client's and the daemon group's (dockerd, containerd, shim, runc
// until the container's init joins its cgroup).
func (d *peerDocker) runner(out *os.File) runner {
	return &cmdRunner{
		label: "docker run --rm (--network none)",
		argv: []string{d.client, "-H", d.host, "run", "--rm", "--network", "none",
			"--cgroup-parent", d.parent, "base", "/bin/true"},
		env: d.env, groups: []group{d.group}, out: out,
	}
}

// runDetached starts a container running argv in the background.
func (d *peerDocker) runDetached(ctx context.Context, argv ...string) error {
	args := append([]string{"run", "-d", "--network", "none", "--cgroup-parent", d.parent, "base"}, argv...)
	if out, err := d.docker(ctx, args...); err != nil {
		return fmt.Errorf("docker run -d: %v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// removeAll force-removes every container.
func (d *peerDocker) removeAll(ctx context.Context) error {
	out, err := d.docker(ctx, "ps", "--all", "--quiet")
	if err != nil {
		return fmt.Errorf("docker ps: %v: %s", err, strings.TrimSpace(out))
	}
	if ids := strings.Fields(out); len(ids) > 0 {
		if out, err := d.docker(ctx, append([]string{"rm", "--force"}, ids...)...); err != nil {
			return fmt.Errorf("docker rm: %v: %s", err, strings.TrimSpace(out))
		}
	}
	return nil
}

// daemons are the PIDs of dockerd and of its containerd.
func (d *peerDocker) daemons() []int {
	pids := []int{d.cmd.Process.Pid}
	execRoot := filepath.Join(d.dir, "exec")
	if pid := pidRunningWith(filepath.Join(execRoot, "containerd", "containerd.pid"), execRoot); pid > 0 {
		pids = append(pids, pid)
	}
	return pids
}

// shims are the PIDs of the containerd shims of our containerd (their
// command line names its socket, under our directory).
func (d *peerDocker) shims() []int {
	return findProcs(func(p procInfo) bool {
		return strings.HasPrefix(p.comm, "containerd-shim") && p.argvContains(d.dir+"/")
	})
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
// unmounts what it left under its directory, removes the host paths its
// containerd made, and says whether the firewall changed.
func (d *peerDocker) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !d.exited() {
		if err := d.removeAll(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		}
		_ = syscall.Kill(d.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(60 * time.Second):
			fmt.Fprintf(os.Stderr, "daemoncompare: dockerd (pid %d) did not exit 60s after SIGTERM; killing it\n", d.cmd.Process.Pid)
			_ = syscall.Kill(d.cmd.Process.Pid, syscall.SIGKILL)
			<-d.done
		}
	}
	killContainerdOf(d.dir)
	if err := unmountUnder(d.dir); err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
	}
	removeNew(newPaths(d.hostPaths))
	if after := dockerFirewall(); strings.Join(after, "\n") != strings.Join(d.firewall, "\n") {
		fmt.Fprintf(os.Stderr, "daemoncompare: warning: docker-related firewall rules changed:\nbefore: %q\nafter: %q\n", d.firewall, after)
	}
}

// killContainerdOf kills the containerd a dockerd with its directories in
// dir started, by the PID in its pidfile: only when that process runs with
// that exec root.
func killContainerdOf(dir string) {
	execRoot := filepath.Join(dir, "exec")
	if pid := pidRunningWith(filepath.Join(execRoot, "containerd", "containerd.pid"), execRoot); pid > 0 {
		fmt.Fprintf(os.Stderr, "daemoncompare: killing dockerd's containerd (pid %d)\n", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
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

// memEngine describes dockerd for the memory part.
func (d *peerDocker) memEngine() *memEngine {
	return &memEngine{
		label: "docker", monitor: "containerd-shim-runc-v2", daemon: "dockerd + containerd",
		startSleeper: func(ctx context.Context) error { return d.runDetached(ctx, "sleep", "1000") },
		monitors:     d.shims,
		daemons:      d.daemons,
		removeAll:    d.removeAll,
	}
}
