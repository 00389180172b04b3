package monitor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/selfexe"
)

// Defaults of Config.
const (
	DefaultLogMaxSize  = 10 << 20
	DefaultLogMaxFiles = 3
)

// procName is the monitor's argv[0]; its argv[1] is Config.Dir. WaitExit
// reads both back from /proc to recognise a monitor by its PID.
const procName = "container-runtime-monitor"

// Config describes one monitor.
type Config struct {
	// Dir is the container's runtime directory, which must exist:
	// console.sock, attach.sock and exit.json live there.
	Dir string
	// LogPath is the log file; its directory must exist. Rotated files
	// are LogPath.1, LogPath.2, ...
	LogPath string
	// LogMaxSize is the size at which the log rotates (default 10 MiB).
	LogMaxSize int64
	// LogMaxFiles is the number of log files kept, the current one
	// included (default 3).
	LogMaxFiles int
	// Tty: the container's output is a pty whose master it sends to
	// ConsoleSocket; its stdio from Launch is /dev/null.
	Tty bool
	// Stdin gives the container a stdin pipe fed by attach clients
	// (without it, stdin is /dev/null). With Tty, stdin is the pty.
	Stdin bool
}

// Monitor is the daemon's handle of a running monitor: its control
// connection, used to launch the container.
type Monitor struct {
	pid     int
	console string
	mu      sync.Mutex // one request and its reply at a time
	conn    *net.UnixConn
	reaped  <-chan struct{} // closed once the monitor exited and was reaped
}

// Start re-executes the calling binary, which must import this package,
// as a monitor, and waits until it is ready. The monitor outlives the
// caller; until it has an init (see Launch) it also exits when the
// control connection closes and it has no children left.
func Start(ctx context.Context, cfg Config) (*Monitor, error) {
	if cfg.Dir == "" || cfg.LogPath == "" {
		return nil, fmt.Errorf("starting a monitor: Dir and LogPath are required: %w", errdefs.ErrInvalidArgument)
	}
	logPath, err := filepath.Abs(cfg.LogPath)
	if err != nil {
		return nil, fmt.Errorf("starting a monitor: log path %q: %w", cfg.LogPath, err)
	}
	if cfg.LogMaxSize <= 0 {
		cfg.LogMaxSize = DefaultLogMaxSize
	}
	if cfg.LogMaxFiles <= 0 {
		cfg.LogMaxFiles = DefaultLogMaxFiles
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("starting a monitor: socketpair: %w", err)
	}
	ours := os.NewFile(uintptr(fds[0]), "monitor-control")
	theirs := os.NewFile(uintptr(fds[1]), "monitor-control-child")
	defer theirs.Close()
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		theirs.Close()
		return nil, fmt.Errorf("starting a monitor: control socket: %w", err)
	}
	conn := fc.(*net.UnixConn)

	exe, err := openSelf()
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer exe.Close()
	cmd := &exec.Cmd{
		Path: "/proc/self/fd/" + strconv.Itoa(int(exe.Fd())),
		Args: []string{procName, cfg.Dir},
		Env: []string{
			envMonitor + "=1",
			envDir + "=" + cfg.Dir,
			envLog + "=" + logPath,
			envMaxSize + "=" + strconv.FormatInt(cfg.LogMaxSize, 10),
			envMaxFiles + "=" + strconv.Itoa(cfg.LogMaxFiles),
			envTty + "=" + boolEnv(cfg.Tty),
			envStdin + "=" + boolEnv(cfg.Stdin),
		},
		ExtraFiles: []*os.File{theirs}, // fd 3
	}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("starting a monitor for %s: %w", cfg.Dir, err)
	}
	pid := cmd.Process.Pid
	// A pidfd of our own for killing it on failure: once the reaper
	// below has reaped it, its PID may belong to someone else.
	var reaped <-chan struct{}
	killfd, err := unix.PidfdOpen(pid, 0)
	if err == nil {
		defer unix.Close(killfd)
		reaped, err = reapLater(pid)
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		conn.Close()
		return nil, fmt.Errorf("starting a monitor for %s: pidfd: %w", cfg.Dir, err)
	}
	cmd.Process.Release()
	theirs.Close()

	m := &Monitor{pid: pid, conn: conn, reaped: reaped}
	if cfg.Tty {
		m.console = filepath.Join(cfg.Dir, "console.sock")
	}
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	reply, err := m.read()
	stop()
	if err == nil && string(reply) != "ready" {
		err = replyError(reply)
	}
	if err != nil {
		unix.PidfdSendSignal(killfd, unix.SIGKILL, nil, 0)
		conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("starting a monitor for %s: %w", cfg.Dir, err)
	}
	conn.SetReadDeadline(time.Time{})
	return m, nil
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// reapLater waits for our child pid to exit without holding a thread:
// the pidfd becomes readable in the netpoller, then the child is reaped
// and the returned channel closed. Until then the PID cannot be reused.
func reapLater(pid int) (<-chan struct{}, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "monitor-pidfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("pidfd of monitor %d: %w", pid, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		rc.Read(func(uintptr) bool {
			var ws unix.WaitStatus
			wpid, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
			return wpid == pid || (err != nil && err != unix.EINTR)
		})
	}()
	return done, nil
}

// openSelf returns a handle of our binary to execute. A detached
// read-only bind mount (as package runtime uses for containers) keeps a
// process that reaches the monitor through /proc/PID/exe from writing to
// the daemon's binary; where the new mount API is refused, the plain
// binary is used.
func openSelf() (*os.File, error) {
	if f := selfexe.ReadOnly(); f != nil {
		return f, nil
	}
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("opening our own binary: %w", err)
	}
	return f, nil
}

// Pid is the monitor's process ID.
func (m *Monitor) Pid() int { return m.pid }

// ConsoleSocket is the socket on which the container's init sends its
// pty master ("" without Tty).
func (m *Monitor) ConsoleSocket() string { return m.console }

// Launch starts exe (an open handle of an ELF binary) as a child of the
// monitor, with args (args[0] included) and env, files at fds 3, 4, ...,
// in dir, and with the container's stdio (all /dev/null with a tty). It
// returns the child's PID. It implements the runtime's Launcher: the
// child is the namespace stage, whose CLONE_PARENT child, the container's
// init, becomes the monitor's child too. The monitor takes the child
// that the launched process leaves behind when it exits as the init,
// whose exit ends the container and the monitor: one Launch succeeds per
// monitor.
func (m *Monitor) Launch(exe *os.File, args, env []string, files []*os.File, dir string) (int, error) {
	return m.launch("launch", exe, nil, args, env, files, dir)
}

// LaunchInCgroup is Launch with the child born in cgroupDir, a cgroup v2
// directory (clone3 with CLONE_INTO_CGROUP). When the kernel or a seccomp
// filter refuses clone3 the error wraps its errno. It implements the
// runtime's CgroupLauncher.
func (m *Monitor) LaunchInCgroup(exe, cgroupDir *os.File, args, env []string, files []*os.File, dir string) (int, error) {
	if cgroupDir == nil {
		return 0, fmt.Errorf("launching through the monitor: no cgroup: %w", errdefs.ErrInvalidArgument)
	}
	return m.launch("launch-cg", exe, cgroupDir, args, env, files, dir)
}

func (m *Monitor) launch(verb string, exe, cgroupDir *os.File, args, env []string, files []*os.File, dir string) (int, error) {
	if exe == nil || len(args) == 0 {
		return 0, fmt.Errorf("launching through the monitor: an executable and args[0] are required: %w", errdefs.ErrInvalidArgument)
	}
	var b bytes.Buffer
	b.WriteString(verb + "\x00" + dir + "\x00" + strconv.Itoa(len(args)) + "\x00")
	for _, s := range append(append([]string{}, args...), env...) {
		if bytes.IndexByte([]byte(s), 0) >= 0 {
			return 0, fmt.Errorf("launching %q through the monitor: NUL byte in an argument or variable: %w", args[0], errdefs.ErrInvalidArgument)
		}
		b.WriteString(s + "\x00")
	}
	fds := []int{int(exe.Fd())}
	if cgroupDir != nil {
		fds = append(fds, int(cgroupDir.Fd()))
	}
	for i, f := range files {
		if f == nil {
			return 0, fmt.Errorf("launching %q through the monitor: file %d is nil: %w", args[0], 3+i, errdefs.ErrInvalidArgument)
		}
		fds = append(fds, int(f.Fd()))
	}
	reply, err := m.request(b.Bytes(), unix.UnixRights(fds...))
	runtime.KeepAlive(exe)
	runtime.KeepAlive(cgroupDir)
	runtime.KeepAlive(files)
	if err != nil {
		return 0, fmt.Errorf("launching %q through monitor %d: %w", args[0], m.pid, err)
	}
	var pid int
	if _, err := fmt.Sscanf(string(reply), "pid %d", &pid); err != nil {
		var errno int
		if _, serr := fmt.Sscanf(string(reply), "error clone3 %d", &errno); serr == nil {
			return 0, fmt.Errorf("launching %q through monitor %d: clone3 into the cgroup: %w", args[0], m.pid, unix.Errno(errno))
		}
		return 0, fmt.Errorf("launching %q through monitor %d: %w", args[0], m.pid, replyError(reply))
	}
	return pid, nil
}

// Close closes the control connection. A monitor with an init keeps
// running; one without exits once its children are gone.
func (m *Monitor) Close() error {
	return m.conn.Close()
}

func (m *Monitor) request(msg, oob []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, _, err := m.conn.WriteMsgUnix(msg, oob, nil); err != nil {
		return nil, fmt.Errorf("sending to the monitor: %w", err)
	}
	return m.read()
}

func (m *Monitor) read() ([]byte, error) {
	buf := make([]byte, 2048)
	n, err := m.conn.Read(buf)
	if err == nil && n == 0 {
		err = io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("reading from the monitor: %w: %w", err, errdefs.ErrUnavailable)
	}
	return buf[:n], nil
}

// replyError turns a monitor's "error <msg>" (or anything unexpected)
// into an error.
func replyError(reply []byte) error {
	if msg, ok := bytes.CutPrefix(reply, []byte("error ")); ok {
		return errors.New(string(msg))
	}
	return fmt.Errorf("unexpected reply %q from the monitor", reply)
}
