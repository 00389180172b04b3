package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
	"github.com/container-runtime/container-runtime/network"
)

// binaries are our three programs.
type binaries struct {
	cli, daemon, oci string
}

// findBinaries locates our programs in dir (make build puts them in bin/).
func findBinaries(dir string) (binaries, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return binaries{}, err
	}
	b := binaries{
		cli:    filepath.Join(abs, "container-runtime"),
		daemon: filepath.Join(abs, "container-runtimed"),
		oci:    filepath.Join(abs, "container-runtime-oci"),
	}
	for _, p := range []string{b.cli, b.daemon, b.oci} {
		if _, err := os.Stat(p); err != nil {
			return binaries{}, fmt.Errorf("our binary: %w (run `make build` first, or pass -bin)", err)
		}
	}
	return b, nil
}

// benchNet is the network configuration of the benchmark's daemon: a
// bridge, subnet, table and pools of its own, so that an installed daemon
// (crt0, table container-runtime), the tests' daemons and another run of
// this program are left alone.
func benchNet(root string, pid int) network.Config {
	return network.Config{
		StateDir:     filepath.Join(root, "network"),
		BridgeName:   fmt.Sprintf("crtbc%d", pid%100000),
		Subnet:       netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 211, byte(pid), 0}), 24),
		NFTable:      fmt.Sprintf("crt-daemoncompare-%d", pid),
		AddressPools: []netip.Prefix{netip.MustParsePrefix("10.212.0.0/16")},
		BridgePrefix: "crtbcn-",
	}
}

// takesNetFlags reports whether the daemon has the flags that give it a
// bridge and a table of its own (--bridge-name, --nft-table, ...).
func takesNetFlags(daemon string) bool {
	help, _ := exec.Command(daemon, "--help").CombinedOutput()
	return bytes.Contains(help, []byte("-nft-table")) && bytes.Contains(help, []byte("-bridge-prefix"))
}

// ourRoot is the daemon's --root under work.
func ourRoot(work string) string { return filepath.Join(work, "ours", "root") }

// ourDaemon is container-runtimed with everything under dir, started in
// its accounting group (its monitors are born there too).
type ourDaemon struct {
	bin                                  binaries
	dir, root, execRoot, socket, pidfile string
	log                                  string
	net                                  network.Config
	// netFlags is whether the daemon takes the network flags; without
	// them it would use the installed daemon's bridge and table, which
	// cleanup then leaves alone.
	netFlags bool
	group    group
	client   *client.Client
	cmd      *exec.Cmd
	done     chan struct{} // closed when cmd.Wait returned
}

// startOurs starts our daemon under work/ours with the debootstrap cache
// shared through a symbolic link where the daemon keeps its own
// (<root>/cache/debootstrap, image.BootstrapOptions' default), and waits
// until it answers.
func startOurs(ctx context.Context, work string, bin binaries, tree *cgroupTree, cacheDir string, netFlags bool) (*ourDaemon, error) {
	dir := filepath.Join(work, "ours")
	d := &ourDaemon{
		bin: bin, dir: dir, netFlags: netFlags, root: ourRoot(work), execRoot: filepath.Join(dir, "run"),
		pidfile: filepath.Join(dir, "daemon.pid"), log: filepath.Join(dir, "daemon.log"),
		done: make(chan struct{}),
	}
	d.socket = filepath.Join(d.execRoot, "d.sock")
	d.net = benchNet(d.root, os.Getpid())
	cache, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, fmt.Errorf("creating the debootstrap cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(d.root, "cache"), 0o700); err != nil {
		return nil, err
	}
	if err := os.Symlink(cache, filepath.Join(d.root, "cache", "debootstrap")); err != nil {
		return nil, fmt.Errorf("pointing the daemon at the debootstrap cache: %w", err)
	}
	if d.group, err = tree.group("ours"); err != nil {
		return nil, err
	}
	if d.client, err = client.New(client.Options{Host: "unix://" + d.socket}); err != nil {
		return nil, err
	}
	args := []string{"--root", d.root, "--exec-root", d.execRoot, "--socket", d.socket, "--pidfile", d.pidfile}
	if netFlags {
		args = append(args, "--bridge-name", d.net.BridgeName, "--bridge-subnet", d.net.Subnet.String(),
			"--nft-table", d.net.NFTable, "--address-pools", d.net.AddressPools[0].String(),
			"--bridge-prefix", d.net.BridgePrefix)
	}
	logFile, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	d.cmd = exec.Command(bin.daemon, args...)
	d.cmd.Dir = dir // no stray ./.env
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	// Its own process group: a ^C at the terminal reaches us, and we
	// stop it in order.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.group.enter(); err != nil {
		return nil, err
	}
	err = d.cmd.Start()
	if lerr := tree.leave(); err == nil {
		err = lerr
	}
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin.daemon, err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := d.client.Ping(pctx)
		cancel()
		switch {
		case err == nil:
			return d, nil
		case d.exited():
			err = fmt.Errorf("container-runtimed exited: %v: %s", d.cmd.ProcessState, tail(d.log, 10))
		case ctx.Err() != nil:
			err = ctx.Err()
		case time.Now().After(deadline):
			err = fmt.Errorf("container-runtimed did not answer within 60s: %s", tail(d.log, 10))
		default:
			err = nil
		}
		if err != nil {
			d.close()
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *ourDaemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// pid is the daemon's process id.
func (d *ourDaemon) pid() int { return d.cmd.Process.Pid }

// env is the CLI's environment for this daemon.
func (d *ourDaemon) env() []string { return []string{client.EnvHost + "=unix://" + d.socket} }

// cli runs our CLI against the daemon and returns its combined output.
func (d *ourDaemon) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.bin.cli, args...)
	cmd.Env = append(os.Environ(), d.env()...)
	cmd.Dir = d.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("container-runtime %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// bootstrapBase makes base with `container-runtime image bootstrap` and
// exports it to work/base/base.tar for the peers; it returns the tar.
func (d *ourDaemon) bootstrapBase(ctx context.Context, work string) (string, error) {
	if _, err := d.cli(ctx, "image", "bootstrap"); err != nil {
		return "", err
	}
	dir := filepath.Join(work, "base")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tar := filepath.Join(dir, "base.tar")
	if _, err := d.cli(ctx, "image", "export", "-o", tar, "base"); err != nil {
		return "", err
	}
	return tar, nil
}

// cliRunner is `container-runtime run --rm --network NET base /bin/true`.
func (d *ourDaemon) cliRunner(label, net string, out *os.File) runner {
	return &cmdRunner{
		label: label, argv: []string{d.bin.cli, "run", "--rm", "--network", net, "base", "/bin/true"},
		env: d.env(), dir: d.dir, groups: []group{d.group}, out: out, settle: d.waitVeths,
	}
}

// waitVeths waits, at most a second, until no interface is attached to
// the daemon's bridge: the host end of a removed container's veth pair
// is deleted in the background.
func (d *ourDaemon) waitVeths() {
	if !d.netFlags {
		return
	}
	deadline := time.Now().Add(time.Second)
	for {
		ports, _ := os.ReadDir(filepath.Join("/sys/class/net", d.net.BridgeName, "brif"))
		if len(ports) == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// clientRunner does what the CLI's run --rm does, with the client package
// in this process: create, attach with the start, read to the exit, wait
// for the removal unless the daemon told the exit after it.
func (d *ourDaemon) clientRunner(label, net string) runner {
	return &funcRunner{label: label, groups: []group{d.group}, fn: func(ctx context.Context) error {
		_, err := d.runRm(ctx, net)
		return err
	}}
}

// runRm runs one `run --rm --network net base /bin/true` as the CLI does,
// and returns how long each step took: create (its request), attach+start
// (the attach that starts the container, until its answer), exit (from
// then to the exit frame: the container's run, and with a daemon that
// tells it after the removal, the removal) and removal wait (the request
// for the removal, made only when the daemon does not).
func (d *ourDaemon) runRm(ctx context.Context, net string) ([]api.Phase, error) {
	var steps []api.Phase
	t := time.Now()
	step := func(name string) {
		now := time.Now()
		steps = append(steps, api.Phase{Name: name, Duration: now.Sub(t)})
		t = now
	}
	created, err := d.client.ContainerCreate(ctx, api.ContainerCreate{
		Image: "base", Cmd: []string{"/bin/true"}, Network: net, AutoRemove: true,
	})
	if err != nil {
		return nil, err
	}
	step("create")
	stream, err := d.client.ContainerAttach(ctx, created.ID, client.AttachOptions{Stdout: true, Stderr: true, Start: true})
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	if !stream.Started() {
		return nil, errors.New("the daemon did not start the container in the attach (start=1)")
	}
	step("attach+start")
	code, exited, err := stream.Copy(io.Discard, io.Discard)
	if err != nil {
		return nil, err
	}
	if !exited {
		w, err := d.client.ContainerWait(ctx, created.ID, client.WaitNotRunning)
		if err != nil {
			return nil, err
		}
		code = w.StatusCode
	}
	if code != 0 {
		return nil, fmt.Errorf("/bin/true exited with %d", code)
	}
	step("exit")
	if exited && stream.ExitAfterRemoval() {
		return steps, nil
	}
	// A container removed before the wait is asked for is no such
	// container: removed, as the wait wanted.
	if _, err = d.client.ContainerWait(ctx, created.ID, client.WaitRemoved); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		return nil, err
	}
	step("removal wait")
	return steps, nil
}

// monitors are the PIDs of the monitors serving this daemon's
// containers: argv[0] container-runtime-monitor, argv[1] the container's
// directory under the exec root.
func (d *ourDaemon) monitors() []int {
	return findProcs(func(p procInfo) bool {
		return len(p.argv) >= 2 && p.argv[0] == "container-runtime-monitor" && strings.HasPrefix(p.argv[1], d.execRoot+"/")
	})
}

// removeAll force-removes every container of the daemon.
func (d *ourDaemon) removeAll(ctx context.Context) error {
	list, err := d.client.ContainerList(ctx, true)
	if err != nil {
		return err
	}
	for _, c := range list {
		if err := d.client.ContainerRemove(ctx, c.ID, true); err != nil {
			return fmt.Errorf("removing container %s: %w", c.Name, err)
		}
	}
	return nil
}

// close removes the containers, stops the daemon by its PID (SIGTERM,
// SIGKILL after 60s), kills monitors left over, removes its bridge,
// table and network state as an uninstall would, and unmounts what it
// left under its directory.
func (d *ourDaemon) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !d.exited() {
		if err := d.removeAll(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		}
		_ = syscall.Kill(d.pid(), syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(60 * time.Second):
			fmt.Fprintf(os.Stderr, "daemoncompare: container-runtimed (pid %d) did not exit 60s after SIGTERM; killing it\n", d.pid())
			_ = syscall.Kill(d.pid(), syscall.SIGKILL)
			<-d.done
		}
	}
	d.client.Close()
	for _, pid := range d.monitors() {
		fmt.Fprintf(os.Stderr, "daemoncompare: killing a monitor left over (pid %d)\n", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
	destroyNetwork(ctx, d.net, d.netFlags)
	if err := host.UnmountUnder(d.dir); err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
	}
}

// destroyNetwork removes the bridge, table and records of a daemon with
// network configuration cfg, when it had its own (own).
func destroyNetwork(ctx context.Context, cfg network.Config, own bool) {
	if !own {
		return
	}
	if _, err := os.Stat(cfg.StateDir); err != nil {
		return // the daemon never started its network manager
	}
	m, err := network.New(ctx, cfg)
	if err == nil {
		err = m.Destroy(ctx)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: removing the daemon's network state: %v\n", err)
	}
}

// daemonPidfile is where a run's daemon writes its PID, for a later run
// to stop it.
func daemonPidfile(work string) string { return filepath.Join(work, "ours", "daemon.pid") }

// ourMark identifies the processes of a run's daemon and monitors.
func ourMark(work string) string { return filepath.Join(work, "ours") + "/" }

// memEngine describes the daemon for the memory part.
func (d *ourDaemon) memEngine() *memEngine {
	return &memEngine{
		label: "ours", monitor: "container-runtime-monitor", daemon: "container-runtimed",
		startSleeper: func(ctx context.Context) error {
			_, err := d.cli(ctx, "run", "-d", "--network", "none", "base", "sleep", "1000")
			return err
		},
		monitors:  d.monitors,
		daemons:   func() []int { return []int{d.pid()} },
		removeAll: d.removeAll,
	}
}
