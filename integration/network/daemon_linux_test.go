package network

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/network"
)

// Bounds of the tests' waits.
const (
	readyTimeout = 30 * time.Second
	cliTimeout   = 90 * time.Second
	stopTimeout  = 30 * time.Second
)

// The test daemon's network settings: its own bridge, subnet, table and
// pools, so that an installed daemon (crt0, table container-runtime) and
// the other test packages' daemons are left alone.
var (
	testSubnet = netip.MustParsePrefix("10.193.0.0/24")
	testPool   = netip.MustParsePrefix("10.194.0.0/16")
)

// testNet returns the network manager configuration of a test daemon
// whose root is root.
func testNet(root string) network.Config {
	pid := strconv.Itoa(os.Getpid() % 100000)
	return network.Config{
		StateDir:     filepath.Join(root, "network"),
		BridgeName:   "crtn" + pid,
		Subnet:       testSubnet,
		NFTable:      "crt-nettest-" + pid,
		AddressPools: []netip.Prefix{testPool},
		BridgePrefix: "crtnt-",
	}
}

// daemon is a container-runtimed of one test, on temporary directories.
type daemon struct {
	dir, root, execRoot, socket, logPath string
	net                                  network.Config
	client                               *client.Client

	proc   *exec.Cmd
	exited chan struct{}
}

// startDaemon starts a daemon for t and arranges for everything it made
// to go at the end of the test: containers, networks, the daemon, its
// bridges and table, its directories.
func startDaemon(t testing.TB) *daemon {
	t.Helper()
	requireRoot(t)
	dir, err := os.MkdirTemp("", "crtnt")
	if err != nil {
		t.Fatal(err)
	}
	// A container in a user namespace must reach its root through it.
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	d := &daemon{dir: dir, root: filepath.Join(dir, "root"), execRoot: filepath.Join(dir, "run"), logPath: filepath.Join(dir, "daemon.log")}
	d.socket = filepath.Join(d.execRoot, "d.sock")
	d.net = testNet(d.root)
	d.client, err = client.New(client.Options{Host: "unix://" + d.socket})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.destroy(t) })
	d.start(t)
	return d
}

// start starts the daemon process and waits until it answers.
func (d *daemon) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bins.daemon, "--root", d.root, "--exec-root", d.execRoot, "--socket", d.socket, "--log-level", "debug",
		"--bridge-name", d.net.BridgeName, "--bridge-subnet", d.net.Subnet.String(), "--nft-table", d.net.NFTable,
		"--address-pools", testPool.String(), "--bridge-prefix", d.net.BridgePrefix)
	cmd.Dir = d.dir // no stray ./.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the daemon: %v", err)
	}
	exited := make(chan struct{})
	d.proc, d.exited = cmd, exited
	go func() {
		cmd.Wait()
		close(exited)
	}()
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := d.client.Ping(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-exited:
			t.Fatalf("the daemon exited while starting:\n%s", d.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not answer within %v: %v\n%s", readyTimeout, err, d.log())
		}
	}
}

// running reports whether the daemon process runs.
func (d *daemon) running() bool {
	if d.proc == nil {
		return false
	}
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// stop stops the daemon with SIGTERM and waits for it.
func (d *daemon) stop(t testing.TB) {
	t.Helper()
	if !d.running() {
		return
	}
	d.proc.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(stopTimeout):
		d.proc.Process.Kill()
		<-d.exited
		t.Errorf("the daemon did not stop within %v of SIGTERM", stopTimeout)
	}
}

// kill9 kills the daemon as a crash would.
func (d *daemon) kill9(t testing.TB) {
	t.Helper()
	if err := d.proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.exited
}

// log returns the daemon's log so far.
func (d *daemon) log() string {
	b, _ := os.ReadFile(d.logPath)
	return string(b)
}

// result is what a CLI invocation did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("container-runtime %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs the CLI against d.
func (d *daemon) run(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.cli, args...)
	cmd.Env = append(os.Environ(), "CONTAINER_RUNTIME_HOST=unix://"+d.socket)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code, r.stderr = -1, err.Error()
	}
	return r
}

// ok runs the CLI and fails t unless it succeeds; it returns stdout.
func (d *daemon) ok(t testing.TB, args ...string) string {
	t.Helper()
	r := d.run(args...)
	if r.code != 0 {
		t.Fatalf("%v\ndaemon log (tail):\n%s", r, tail(d.log(), 30))
	}
	return r.stdout
}

// destroy removes everything of d: its containers and networks through
// the API while it runs, then the daemon, then (as an uninstall would)
// the bridges, table and records through a network.Manager of the same
// configuration, leftover monitors, mounts and the directories.
func (d *daemon) destroy(t testing.TB) {
	t.Helper()
	if d.running() {
		ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
		if list, err := d.client.ContainerList(ctx, true); err == nil {
			for _, c := range list {
				if err := d.client.ContainerRemove(ctx, c.ID, true); err != nil {
					t.Errorf("removing container %s: %v", c.Name, err)
				}
			}
		}
		if nets, err := d.client.NetworkList(ctx); err == nil {
			for _, n := range nets {
				if n.Name != network.Bridge && n.Name != network.Host && n.Name != network.None {
					if err := d.client.NetworkRemove(ctx, n.Name); err != nil {
						t.Errorf("removing network %s: %v", n.Name, err)
					}
				}
			}
		}
		cancel()
		d.stop(t)
	}
	for _, pid := range monitorsOf(d.execRoot) {
		syscall.Kill(pid, syscall.SIGKILL) // a failed test's; started by our daemon
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if m, err := network.New(ctx, d.net); err != nil {
		t.Errorf("opening the network state to remove it: %v", err)
	} else if err := m.Destroy(ctx); err != nil {
		t.Errorf("removing the network state: %v", err)
	}
	mounts := mountsUnder(d.dir)
	slices.Reverse(mounts)
	for _, m := range mounts {
		unix.Unmount(m, unix.MNT_DETACH)
	}
	d.client.Close()
	if t.Failed() {
		t.Logf("daemon log (tail):\n%s", tail(d.log(), 60))
	}
	os.RemoveAll(d.dir)
}

// monitorsOf returns the pids of the monitor processes serving execRoot
// (their environment names it).
func monitorsOf(execRoot string) []int {
	procs, _ := os.ReadDir("/proc")
	want := []byte("_CRT_MONITOR_DIR=" + execRoot + "/")
	var pids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", p.Name(), "environ"))
		if err != nil {
			continue
		}
		for kv := range bytes.SplitSeq(env, []byte{0}) {
			if bytes.HasPrefix(kv, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// mountsUnder returns the mount points under dir, in mount order.
func mountsUnder(dir string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 5 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			out = append(out, f[4])
		}
	}
	return out
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
