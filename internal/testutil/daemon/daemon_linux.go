package daemon

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// Bounds on the daemon's own life.
const (
	ReadyTimeout    = 60 * time.Second // from exec to answering _ping
	ShutdownTimeout = 30 * time.Second // from SIGTERM to exit
)

// Daemon is one container-runtimed started by a test on its own
// directories. Its methods may be called from the test's goroutine only,
// except Exec and Leaks, which are safe from any goroutine.
type Daemon struct {
	// Dir holds everything: root/ (INSTALL_PATH), exec/ (exec root and
	// socket), daemon.pid, daemon.log. It is short, since the socket's
	// path must fit in sockaddr_un.
	Dir                             string
	Root, ExecRoot, Socket, Pidfile string
	// Net is the daemon's default network, its own (see Network).
	Net Network
	// Client talks to the daemon through the client package.
	Client *client.Client

	t       testing.TB
	logPath string
	flags   []string // more daemon flags

	proc   *exec.Cmd
	exited chan struct{} // closed when proc has been waited for
	// stopEvents ends the events subscription of the current process.
	stopEvents context.CancelFunc

	mu  sync.Mutex
	ids map[string]bool // every container id seen in a create event
}

// New starts a daemon with more daemon flags on fresh temporary
// directories and registers its cleanup: remove every container, stop the
// daemon, fail the test if anything leaked (mounts, cgroups, state
// directories, monitor processes), and remove the directories.
func New(t testing.TB, flags ...string) *Daemon {
	t.Helper()
	testutil.RequireRoot(t)
	dir, err := os.MkdirTemp("", "crt-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{
		t:        t,
		Dir:      dir,
		Root:     filepath.Join(dir, "root"),
		ExecRoot: filepath.Join(dir, "exec"),
		Socket:   filepath.Join(dir, "exec", "container-runtimed.sock"),
		Pidfile:  filepath.Join(dir, "daemon.pid"),
		logPath:  filepath.Join(dir, "daemon.log"),
		ids:      map[string]bool{},
		Net:      NewNetwork(),
		flags:    flags,
	}
	t.Cleanup(d.cleanup)
	SeedBootstrapCache(t, d.Root)
	cl, err := client.New(client.Options{Host: "unix://" + d.Socket})
	if err != nil {
		t.Fatal(err)
	}
	d.Client = cl
	d.Start(t)
	return d
}

// AtSocket returns a handle that runs the CLI against socket and starts
// no daemon: for a test of the CLI with no daemon (or someone else's)
// at that address. Only the CLI helpers (Run, OK, Exec, Background,
// Command) may be used on it.
func AtSocket(t testing.TB, socket string) *Daemon {
	return &Daemon{t: t, Dir: t.TempDir(), Socket: socket}
}

// SeedBootstrapCache points root's debootstrap cache (the default
// BootstrapOptions.CacheDir, <root>/cache/debootstrap) at the cache shared
// by every test on this machine, so that bootstrapping base takes seconds.
func SeedBootstrapCache(t testing.TB, root string) {
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

// Start starts the daemon process on d's directories and waits until it
// answers on its socket. New calls it; call it again after Kill9 or
// Shutdown to restart the daemon on the same directories.
func (d *Daemon) Start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bins.daemon, "--root", d.Root, "--exec-root", d.ExecRoot,
		"--socket", d.Socket, "--pidfile", d.Pidfile, "--log-level", "debug")
	cmd.Args = append(cmd.Args, d.Net.Flags()...)
	cmd.Args = append(cmd.Args, d.flags...)
	cmd.Dir = d.Dir // no stray ./.env
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

	deadline := time.Now().Add(ReadyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := d.Client.Ping(ctx)
		cancel()
		if err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the daemon exited while starting (%v):\n%s", cmd.ProcessState, d.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not answer within %v: %v\n%s", ReadyTimeout, err, d.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b, err := os.ReadFile(d.Pidfile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("pidfile %s: %q, %v; want the daemon's pid %d", d.Pidfile, b, err, cmd.Process.Pid)
	}
	d.watchEvents()
}

// watchEvents records the id of every container the daemon creates, for
// the leak checks, until the daemon stops.
func (d *Daemon) watchEvents() {
	ctx, cancel := context.WithCancel(context.Background())
	d.stopEvents = cancel
	// Since a minute ago: the history covers what happened before the
	// subscription was in place.
	since := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	events, _ := d.Client.Events(ctx, client.EventsOptions{Type: "container", Since: since})
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

// Running reports whether the daemon process is alive.
func (d *Daemon) Running() bool {
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

// Pid returns the daemon's pid.
func (d *Daemon) Pid() int { return d.proc.Process.Pid }

// Kill9 kills the daemon with SIGKILL and waits for it.
func (d *Daemon) Kill9(t testing.TB) {
	t.Helper()
	d.stopEvents()
	if err := d.proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 of the daemon: %v", err)
	}
	<-d.exited
}

// Terminate sends SIGTERM to the daemon, as systemd stops it, and waits
// up to timeout for it to exit. It returns how the daemon exited, or an
// error if it could not be signalled or still runs after timeout (it is
// left running then).
func (d *Daemon) Terminate(timeout time.Duration) (*os.ProcessState, error) {
	d.stopEvents()
	if err := d.proc.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return nil, fmt.Errorf("SIGTERM to the daemon: %w", err)
	}
	select {
	case <-d.exited:
		return d.proc.ProcessState, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("the daemon did not stop within %v of SIGTERM", timeout)
	}
}

// Shutdown stops the daemon with SIGTERM and checks that it exits cleanly
// within ShutdownTimeout (else kills it), removing its pidfile.
func (d *Daemon) Shutdown(t testing.TB) {
	t.Helper()
	if !d.Running() {
		return
	}
	state, err := d.Terminate(ShutdownTimeout)
	switch {
	case err != nil:
		t.Errorf("%v; killing it\n%s", err, d.Log())
		d.proc.Process.Signal(syscall.SIGKILL)
		<-d.exited
	case !state.Success():
		t.Errorf("the daemon exited with %v after SIGTERM:\n%s", state, d.Log())
	}
	if _, err := os.Stat(d.Pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile %s still there after shutdown (%v)", d.Pidfile, err)
	}
}

// Log returns the daemon's log so far (its last 8 KiB).
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.logPath)
	if len(b) > 8<<10 {
		b = b[len(b)-8<<10:]
	}
	return string(b)
}

// KnownIDs returns the ids of every container the daemon created so far.
func (d *Daemon) KnownIDs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := make([]string, 0, len(d.ids))
	for id := range d.ids {
		ids = append(ids, id)
	}
	return ids
}

// Inspect returns a container's details through the client package.
func (d *Daemon) Inspect(t testing.TB, name string) api.ContainerInspect {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CmdTimeout)
	defer cancel()
	ci, err := d.Client.ContainerInspect(ctx, name)
	if err != nil {
		t.Fatalf("inspecting %s: %v", name, err)
	}
	return ci
}

// cleanup removes every container, stops the daemon, reports leaks, then
// removes whatever leaked and the directories.
func (d *Daemon) cleanup() {
	t := d.t
	if d.Running() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*CmdTimeout)
		list, err := d.Client.ContainerList(ctx, true)
		if err != nil {
			t.Errorf("cleanup: listing containers: %v", err)
		}
		for _, c := range list {
			d.mu.Lock()
			d.ids[c.ID] = true
			d.mu.Unlock()
			if err := d.Client.ContainerRemove(ctx, c.ID, true); err != nil {
				t.Errorf("cleanup: removing container %s (%s): %v", c.Name, c.ID, err)
			}
		}
		cancel()
		d.Shutdown(t)
	}
	if d.Client != nil {
		d.Client.Close()
	}
	if leaks := d.Leaks(); len(leaks) > 0 {
		t.Errorf("leaked after every container was removed and the daemon stopped:\n%s\ndaemon log:\n%s",
			strings.Join(leaks, "\n"), d.Log())
	}
	d.forceClean()
	d.Net.Remove(t)
	if err := os.RemoveAll(d.Dir); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}
