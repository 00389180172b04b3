package registry

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
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
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/network"
)

// Bounds of the tests' waits.
const (
	readyTimeout = 30 * time.Second
	cliTimeout   = 2 * time.Minute
	stopTimeout  = 30 * time.Second
)

// requireRoot skips tb unless it runs as root with busybox-static.
func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root: the daemon mounts OverlayFS and makes namespaces")
	}
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		tb.Skipf("needs busybox-static: %v", err)
	}
}

// daemon is a container-runtimed of one test, on temporary directories
// and a network of its own (bridge, subnet, table), which containers here
// do not use (--network none) but the daemon sets up.
type daemon struct {
	dir, root, execRoot, socket, logPath string
	net                                  network.Config
	client                               *client.Client

	proc   *exec.Cmd
	exited chan struct{}
}

// startDaemon starts a daemon with extra flags; everything it made goes
// at the end of the test.
func startDaemon(t testing.TB, flags ...string) *daemon {
	t.Helper()
	requireRoot(t)
	dir, err := os.MkdirTemp("", "crtrg")
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{dir: dir, root: filepath.Join(dir, "root"), execRoot: filepath.Join(dir, "run"), logPath: filepath.Join(dir, "daemon.log")}
	d.socket = filepath.Join(d.execRoot, "d.sock")
	pid := os.Getpid()
	d.net = network.Config{
		StateDir:     filepath.Join(d.root, "network"),
		BridgeName:   "crtr" + strconv.Itoa(pid%100000),
		Subnet:       netip.MustParsePrefix(fmt.Sprintf("10.198.%d.0/24", pid%250)),
		NFTable:      "crt-regtest-" + strconv.Itoa(pid),
		AddressPools: []netip.Prefix{netip.MustParsePrefix("10.199.0.0/16")},
		BridgePrefix: "crtrt-",
	}
	d.client, err = client.New(client.Options{Host: "unix://" + d.socket})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.destroy(t) })

	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	args := append([]string{"--root", d.root, "--exec-root", d.execRoot, "--socket", d.socket, "--log-level", "debug",
		"--bridge-name", d.net.BridgeName, "--bridge-subnet", d.net.Subnet.String(), "--nft-table", d.net.NFTable,
		"--address-pools", d.net.AddressPools[0].String(), "--bridge-prefix", d.net.BridgePrefix}, flags...)
	cmd := exec.Command(bins.daemon, args...)
	cmd.Dir = d.dir // no stray ./.env
	// No Docker credentials of the machine's root: only what the tests
	// log in with.
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(d.dir, "docker"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the daemon: %v", err)
	}
	d.proc, d.exited = cmd, make(chan struct{})
	go func() {
		cmd.Wait()
		close(d.exited)
	}()
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := d.client.Ping(ctx)
		cancel()
		if err == nil {
			return d
		}
		select {
		case <-d.exited:
			t.Fatalf("the daemon exited while starting:\n%s", d.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not answer within %v: %v\n%s", readyTimeout, err, d.log())
		}
	}
}

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

// run runs the CLI against d with stdin.
func (d *daemon) run(stdin io.Reader, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.cli, args...)
	cmd.Env = append(os.Environ(), "CONTAINER_RUNTIME_HOST=unix://"+d.socket)
	cmd.Stdin = stdin
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
	r := d.run(nil, args...)
	if r.code != 0 {
		t.Fatalf("%v\ndaemon log (tail):\n%s", r, tail(d.log(), 30))
	}
	return r.stdout
}

// importBusybox imports busybox-static's root filesystem as "busybox".
func (d *daemon) importBusybox(t testing.TB) {
	t.Helper()
	rootfs := filepath.Join(d.dir, "rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatalf("making the busybox rootfs: %v", err)
	}
	defer os.RemoveAll(rootfs)
	tarball := filepath.Join(d.dir, "busybox.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar of the rootfs: %v\n%s", err, out)
	}
	defer os.Remove(tarball)
	d.ok(t, "image", "import", tarball, "busybox")
}

// imageID returns the id of the image ref.
func (d *daemon) imageID(t testing.TB, ref string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	img, err := d.client.ImageInspect(ctx, ref)
	if err != nil {
		t.Fatalf("inspecting %s: %v", ref, err)
	}
	return img.ID
}

// destroy removes everything of d: containers, the daemon, its network
// state, leftover monitors and mounts, its directories.
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
		cancel()
		d.proc.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(stopTimeout):
			d.proc.Process.Kill()
			<-d.exited
			t.Errorf("the daemon did not stop within %v of SIGTERM", stopTimeout)
		}
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
	if strings.Contains(d.log(), "panic") {
		t.Errorf("the daemon logged a panic")
	}
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
