package dockerd

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

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// Bounds on dockerd's life.
const (
	ReadyTimeout = 60 * time.Second // from exec to answering `docker version`
	StopTimeout  = 60 * time.Second // from SIGTERM to exit, then SIGKILL
)

// Options say how to start dockerd.
type Options struct {
	// Dir holds everything of dockerd. It must be short: containerd's
	// socket under the exec root must fit in sockaddr_un.
	Dir string
	// Args are more dockerd flags (--add-runtime, --cgroup-parent).
	Args []string
	// JoinCgroup is a cgroup.procs file that dockerd is moved into
	// before it execs, so that dockerd, its containerd and the shims are
	// accounted there from their first instruction ("": stay in ours).
	JoinCgroup string
}

// Dockerd is a private dockerd.
type Dockerd struct {
	// Dir holds everything of dockerd (Options.Dir).
	Dir string
	// Host is the -H value that reaches it.
	Host string
	// Client is the docker client's path (see Client).
	Client string

	log       string
	cmd       *exec.Cmd
	done      chan struct{} // closed when cmd.Wait returned
	hostPaths map[string]bool
	firewall  host.Firewall
}

// ErrNotInstalled is returned by Start when dockerd, containerd or the
// docker client is not installed.
var ErrNotInstalled = errors.New("not installed")

// HostPaths are the paths outside its directories that dockerd's
// containerd makes: its opt plugin and the shims' sockets.
func HostPaths() []string {
	return []string{"/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib",
		"/run/containerd", "/run/containerd/s", "/run/containerd/fifo"}
}

// ClientPath returns the docker client to use: Debian's docker.io client,
// which matches its dockerd (a newer client in $PATH wants the buildx
// plugin for BuildKit), or else the one in $PATH.
func ClientPath() (string, error) {
	const debian = "/usr/bin/docker"
	if _, err := os.Stat(debian); err == nil {
		return debian, nil
	}
	p, err := exec.LookPath("docker")
	if err != nil {
		return "", fmt.Errorf("the docker client: %w", ErrNotInstalled)
	}
	return p, nil
}

// Start starts dockerd as opts say and waits until it answers. On error
// nothing of it is left running.
func Start(ctx context.Context, opts Options) (*Dockerd, error) {
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		return nil, fmt.Errorf("dockerd: %w", ErrNotInstalled)
	}
	if _, err := exec.LookPath("containerd"); err != nil {
		return nil, fmt.Errorf("containerd (which dockerd runs): %w", ErrNotInstalled)
	}
	client, err := ClientPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating dockerd's directory: %w", err)
	}
	fw, err := host.ReadFirewall()
	if err != nil {
		return nil, err
	}
	d := &Dockerd{
		Dir: opts.Dir, Host: "unix://" + filepath.Join(opts.Dir, "docker.sock"), Client: client,
		log: filepath.Join(opts.Dir, "dockerd.log"), done: make(chan struct{}),
		hostPaths: host.Existed(HostPaths()...), firewall: fw,
	}
	if err := d.launch(dockerd, opts); err != nil {
		return nil, err
	}
	if err := d.waitReady(ctx); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return d, nil
}

// launch starts the dockerd process.
func (d *Dockerd) launch(dockerd string, opts Options) error {
	// Our own config file keeps the host's /etc/docker/daemon.json out;
	// without a key path dockerd writes /etc/docker/key.json.
	config := filepath.Join(d.Dir, "daemon.json")
	keyPath := strconv.Quote(filepath.Join(d.Dir, "key.json"))
	if err := os.WriteFile(config, []byte(`{"deprecated-key-path": `+keyPath+"}\n"), 0o644); err != nil {
		return fmt.Errorf("writing dockerd's config: %w", err)
	}
	args := []string{
		"--config-file", config,
		"--data-root", filepath.Join(d.Dir, "data"),
		"--exec-root", filepath.Join(d.Dir, "exec"),
		"--pidfile", filepath.Join(d.Dir, "docker.pid"),
		"-H", d.Host,
		"--iptables=false", "--ip6tables=false", "--bridge=none",
		"--ip-forward=false", "--ip-masq=false",
	}
	args = append(args, opts.Args...)
	logFile, err := os.Create(d.log)
	if err != nil {
		return fmt.Errorf("creating dockerd's log: %w", err)
	}
	defer logFile.Close()
	d.cmd = exec.Command(dockerd, args...)
	if opts.JoinCgroup != "" {
		// The shell joins the cgroup, then becomes dockerd.
		d.cmd = exec.Command("sh", append([]string{"-c", `echo $$ > "$1" && shift && exec "$0" "$@"`,
			dockerd, opts.JoinCgroup}, args...)...)
	}
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	// Its own process group: a ^C at the terminal reaches only us, and
	// we stop it in order.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return fmt.Errorf("starting dockerd: %w", err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.done)
	}()
	return nil
}

// waitReady waits until the client gets an answer.
func (d *Dockerd) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(ReadyTimeout)
	for {
		if _, err := d.Output(ctx, "version"); err == nil {
			return nil
		}
		switch {
		case d.exited():
			return fmt.Errorf("dockerd exited while starting: %v:\n%s", d.cmd.ProcessState, d.LogTail(20))
		case ctx.Err() != nil:
			return fmt.Errorf("waiting for dockerd: %w", ctx.Err())
		case time.Now().After(deadline):
			return fmt.Errorf("dockerd did not answer within %v:\n%s", ReadyTimeout, d.LogTail(20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Args returns the client's arguments for args against this dockerd,
// with the client's configuration in Dir, not in ~/.docker.
func (d *Dockerd) Args(args ...string) []string {
	return append([]string{"--config", filepath.Join(d.Dir, "client"), "-H", d.Host}, args...)
}

// Output runs the client with args and returns its combined output.
func (d *Dockerd) Output(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.Client, d.Args(args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// RemoveAll force-removes every container and returns their IDs.
func (d *Dockerd) RemoveAll(ctx context.Context) ([]string, error) {
	out, err := d.Output(ctx, "ps", "--all", "--quiet", "--no-trunc")
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(out)
	if len(ids) > 0 {
		if _, err := d.Output(ctx, append([]string{"rm", "--force"}, ids...)...); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// Pid is dockerd's PID.
func (d *Dockerd) Pid() int { return d.cmd.Process.Pid }

// ContainerdPid is the PID of the containerd this dockerd started, 0 when
// none runs.
func (d *Dockerd) ContainerdPid() int { return containerdOf(d.Dir) }

// LogTail returns the last n lines of dockerd's log.
func (d *Dockerd) LogTail(n int) string {
	b, err := os.ReadFile(d.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (d *Dockerd) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// Close removes what containers are left, stops dockerd by its PID
// (SIGTERM, SIGKILL after StopTimeout, then its containerd if that
// survived), unmounts what it left under Dir, and removes the host paths
// its containerd made. It leaves Dir itself (its log is there). The
// error says what did not go well, and whether the firewall changed.
func (d *Dockerd) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	if !d.exited() {
		if _, err := d.RemoveAll(ctx); err != nil {
			errs = append(errs, err)
		}
		_ = syscall.Kill(d.Pid(), syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(StopTimeout):
			errs = append(errs, fmt.Errorf("dockerd (pid %d) did not exit %v after SIGTERM; killed it", d.Pid(), StopTimeout))
			_ = syscall.Kill(d.Pid(), syscall.SIGKILL)
			<-d.done
		}
	}
	if pid := KillContainerd(d.Dir); pid > 0 {
		errs = append(errs, fmt.Errorf("dockerd's containerd (pid %d) outlived it; killed it", pid))
	}
	if err := host.UnmountUnder(d.Dir); err != nil {
		errs = append(errs, err)
	}
	host.RemoveNew(d.hostPaths)
	if now, err := host.ReadFirewall(); err != nil {
		errs = append(errs, err)
	} else if diff := d.firewall.Diff(now); diff != "" {
		errs = append(errs, fmt.Errorf("the firewall changed while dockerd ran:\n%s", diff))
	}
	return errors.Join(errs...)
}

// StopLeftover stops what a dockerd with its directories in dir left
// running when the process that started it was killed: the dockerd (by
// the PID in its pidfile: SIGTERM, SIGKILL after StopTimeout) and its
// containerd. It returns their PIDs.
func StopLeftover(dir string) []int {
	var pids []int
	if pid := host.PidRunningWith(filepath.Join(dir, "docker.pid"), dir); pid > 0 {
		pids = append(pids, pid)
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(pid, StopTimeout) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitGone(pid, 5*time.Second)
		}
	}
	if pid := KillContainerd(dir); pid > 0 {
		pids = append(pids, pid)
	}
	return pids
}

// KillContainerd kills the containerd that a dockerd with its directories
// in dir started (a dockerd killed with SIGKILL leaves it running), and
// returns its PID; 0 when none runs.
func KillContainerd(dir string) int {
	pid := containerdOf(dir)
	if pid <= 0 {
		return 0
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	waitGone(pid, 5*time.Second)
	return pid
}

// containerdOf returns the PID of the containerd of a dockerd with its
// directories in dir, when it runs; 0 otherwise.
func containerdOf(dir string) int {
	execRoot := filepath.Join(dir, "exec")
	return host.PidRunningWith(filepath.Join(execRoot, "containerd", "containerd.pid"), execRoot)
}

// waitGone waits until pid no longer exists, at most timeout, and reports
// whether it is gone.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
