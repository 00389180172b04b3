package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// Bounds on the daemon's own life.
const (
	readyTimeout    = 60 * time.Second // from exec to answering _ping
	shutdownTimeout = 30 * time.Second // from SIGTERM to exit
)

// daemon is one container-runtimed started by a test on its own
// directories. Its methods may be called from the test's goroutine only,
// except the CLI helpers (cli.go), which are safe from any goroutine.
type daemon struct {
	t testing.TB
	// dir holds everything: root/ (INSTALL_PATH), exec/ (exec root and
	// socket), daemon.log. It is short, since the socket's path must fit
	// in sockaddr_un.
	dir, root, execRoot, socket, pidfile, logPath string
	net                                           testNetwork
	flags                                         []string // more daemon flags

	proc   *exec.Cmd
	exited chan struct{} // closed when proc has been waited for
	client *client.Client
	// stopEvents ends the events subscription of the current process.
	stopEvents context.CancelFunc

	mu  sync.Mutex
	ids map[string]bool // every container id seen in a create event
}

// newDaemon starts a daemon on fresh temporary directories and registers
// its cleanup: remove every container, stop the daemon, check that nothing
// leaked (mounts, cgroups, state directories, monitor processes), and
// remove the directories.
func newDaemon(t testing.TB) *daemon {
	t.Helper()
	return newDaemonWith(t)
}

// newDaemonWith is newDaemon with more daemon flags.
func newDaemonWith(t testing.TB, flags ...string) *daemon {
	t.Helper()
	requireRoot(t)
	dir, err := os.MkdirTemp("", "crt-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{
		t:        t,
		dir:      dir,
		root:     filepath.Join(dir, "root"),
		execRoot: filepath.Join(dir, "exec"),
		socket:   filepath.Join(dir, "exec", "container-runtimed.sock"),
		pidfile:  filepath.Join(dir, "daemon.pid"),
		logPath:  filepath.Join(dir, "daemon.log"),
		ids:      map[string]bool{},
		net:      newTestNetwork(),
		flags:    flags,
	}
	t.Cleanup(d.cleanup)
	seedBootstrapCache(t, d.root)
	cl, err := client.New(client.Options{Host: "unix://" + d.socket})
	if err != nil {
		t.Fatal(err)
	}
	d.client = cl
	d.start(t)
	return d
}

// seedBootstrapCache points root's debootstrap cache (the default
// BootstrapOptions.CacheDir, <root>/cache/debootstrap) at the cache shared
// by every test on this machine, so that bootstrapping base takes seconds.
func seedBootstrapCache(t testing.TB, root string) {
	t.Helper()
	shared := "/var/cache/container-runtime-test"
	if d := os.Getenv("CRT_TEST_CACHE"); d != "" {
		shared = d
	}
	shared = filepath.Join(shared, "debootstrap")
	if err := os.MkdirAll(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(root, "cache", "debootstrap")); err != nil {
		t.Fatal(err)
	}
}

// start starts the daemon process on d's directories and waits until it
// answers on its socket.
func (d *daemon) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bins.daemon, "--root", d.root, "--exec-root", d.execRoot,
		"--socket", d.socket, "--pidfile", d.pidfile, "--log-level", "debug")
	cmd.Args = append(cmd.Args, d.net.flags()...)
	cmd.Args = append(cmd.Args, d.flags...)
	cmd.Dir = d.dir // no stray ./.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the daemon: %v", err)
	}
	d.proc = cmd
	exited := make(chan struct{})
	d.exited = exited
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
			break
		}
		select {
		case <-exited:
			t.Fatalf("the daemon exited while starting (%v):\n%s", cmd.ProcessState, d.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not answer within %v: %v\n%s", readyTimeout, err, d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b, err := os.ReadFile(d.pidfile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("pidfile %s: %q, %v; want the daemon's pid %d", d.pidfile, b, err, cmd.Process.Pid)
	}
	d.watchEvents()
}

// watchEvents records the id of every container the daemon creates, for
// the leak checks, until the daemon stops.
func (d *daemon) watchEvents() {
	ctx, cancel := context.WithCancel(context.Background())
	d.stopEvents = cancel
	// Since a minute ago: the history covers what happened before the
	// subscription was in place.
	since := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	events, _ := d.client.Events(ctx, client.EventsOptions{Type: "container", Since: since})
	go func() {
		for e := range events {
			if e.Action == "create" && e.ID != "" {
				d.mu.Lock()
				d.ids[e.ID] = true
				d.mu.Unlock()
			}
		}
	}()
}

// running reports whether the daemon process is alive.
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

// pid returns the daemon's pid.
func (d *daemon) pid() int { return d.proc.Process.Pid }

// kill9 kills the daemon with SIGKILL and waits for it.
func (d *daemon) kill9(t testing.TB) {
	t.Helper()
	d.stopEvents()
	if err := d.proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 of the daemon: %v", err)
	}
	<-d.exited
}

// shutdown stops the daemon with SIGTERM, as systemd does, and checks it
// exits cleanly in time (else kills it).
func (d *daemon) shutdown(t testing.TB) {
	t.Helper()
	if !d.running() {
		return
	}
	d.stopEvents()
	if err := d.proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM to the daemon: %v", err)
	}
	select {
	case <-d.exited:
		if !d.proc.ProcessState.Success() {
			t.Errorf("the daemon exited with %v after SIGTERM:\n%s", d.proc.ProcessState, d.log())
		}
	case <-time.After(shutdownTimeout):
		t.Errorf("the daemon did not stop within %v of SIGTERM; killing it\n%s", shutdownTimeout, d.log())
		d.proc.Process.Signal(syscall.SIGKILL)
		<-d.exited
	}
	if _, err := os.Stat(d.pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile %s still there after shutdown (%v)", d.pidfile, err)
	}
}

// log returns the daemon's log so far (its last 8 KiB).
func (d *daemon) log() string {
	b, _ := os.ReadFile(d.logPath)
	if len(b) > 8<<10 {
		b = b[len(b)-8<<10:]
	}
	return string(b)
}

// knownIDs returns the ids of every container seen so far.
func (d *daemon) knownIDs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := make([]string, 0, len(d.ids))
	for id := range d.ids {
		ids = append(ids, id)
	}
	return ids
}

// inspect returns a container's details through the client package.
func (d *daemon) inspect(t testing.TB, name string) api.ContainerInspect {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	ci, err := d.client.ContainerInspect(ctx, name)
	if err != nil {
		t.Fatalf("inspecting %s: %v", name, err)
	}
	return ci
}

// cleanup removes every container, stops the daemon, reports leaks, then
// removes whatever leaked and the directories.
func (d *daemon) cleanup() {
	t := d.t
	if d.running() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*cmdTimeout)
		list, err := d.client.ContainerList(ctx, true)
		if err != nil {
			t.Errorf("cleanup: listing containers: %v", err)
		}
		for _, c := range list {
			d.mu.Lock()
			d.ids[c.ID] = true
			d.mu.Unlock()
			if err := d.client.ContainerRemove(ctx, c.ID, true); err != nil {
				t.Errorf("cleanup: removing container %s (%s): %v", c.Name, c.ID, err)
			}
		}
		cancel()
		d.shutdown(t)
	}
	if d.client != nil {
		d.client.Close()
	}
	if leaks := d.leaks(); len(leaks) > 0 {
		t.Errorf("leaked after every container was removed and the daemon stopped:\n%s\ndaemon log:\n%s",
			strings.Join(leaks, "\n"), d.log())
	}
	d.forceClean()
	d.net.remove(t)
	if err := os.RemoveAll(d.dir); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}
