package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/runtime"
)

// foreground keeps us attached to a container process we started (exec,
// or run --keep): it forwards our signals to the process, and when the
// process has a terminal but our caller gave no console socket, it
// receives the pty master on a private socket and relays our stdin and
// stdout to it, our terminal in raw mode.
//
// Its life: newForeground before the process is created (so that no
// signal is lost and the socket exists when the process connects), wait
// after, close at the end.
type foreground struct {
	sigs chan os.Signal

	// Set when relaying a pty.
	dir     string
	l       *net.UnixListener
	masters chan masterResult
	master  *os.File
	restore func()
	output  chan struct{} // closed when the pty's output is all copied
}

type masterResult struct {
	f   *os.File
	err error
}

// newForeground starts catching signals and, when relay is true, listens
// on a console socket of our own.
func newForeground(relay bool) (*foreground, error) {
	f := &foreground{sigs: make(chan os.Signal, 32)}
	sigs := make([]os.Signal, 0, len(forwardedSignals()))
	for _, s := range forwardedSignals() {
		sigs = append(sigs, s)
	}
	signal.Notify(f.sigs, sigs...)
	if !relay {
		return f, nil
	}
	dir, err := os.MkdirTemp("", "container-runtime-oci-console-")
	if err != nil {
		f.close()
		return nil, fmt.Errorf("making a directory for the console socket: %w", err)
	}
	f.dir = dir
	path := filepath.Join(dir, "console.sock")
	if f.l, err = net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"}); err != nil {
		f.close()
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	f.masters = make(chan masterResult, 1)
	go func() {
		m, err := runtime.RecvConsole(f.l)
		f.masters <- masterResult{m, err}
	}()
	return f, nil
}

// consoleSocket is the path to hand to the runtime, "" without a relay.
func (f *foreground) consoleSocket() string {
	if f.l == nil {
		return ""
	}
	return f.l.Addr().String()
}

// wait relays signals and the pty until p ends, and returns its status.
func (f *foreground) wait(p *runtime.Process) (runtime.ExitStatus, error) {
	type waitResult struct {
		st  runtime.ExitStatus
		err error
	}
	done := make(chan waitResult, 1)
	go func() {
		st, err := p.Wait()
		done <- waitResult{st, err}
	}()
	for {
		select {
		case s := <-f.sigs:
			sig := s.(unix.Signal)
			if sig == unix.SIGWINCH {
				f.resize()
				continue
			}
			// The process may be gone already; Wait reports that.
			_ = unix.Kill(p.Pid, sig)
		case m := <-f.masters:
			if m.err != nil {
				_ = unix.Kill(p.Pid, unix.SIGKILL)
				<-done
				return runtime.ExitStatus{}, m.err
			}
			f.attach(m.f)
		case r := <-done:
			f.drain()
			return r.st, r.err
		}
	}
}

// attach starts relaying between our stdio and the pty master.
func (f *foreground) attach(master *os.File) {
	f.master = master
	f.restore = makeRaw(int(os.Stdin.Fd()))
	f.resize()
	f.output = make(chan struct{})
	go func() {
		// Ends when we exit; a read of our stdin cannot be interrupted.
		_, _ = io.Copy(master, os.Stdin)
	}()
	go func() {
		defer close(f.output)
		// Reading the master fails with EIO once every slave is closed.
		_, _ = io.Copy(os.Stdout, master)
	}()
}

// drain waits for the last output of the pty. A process the container
// left in the background may keep the slave open forever, so the wait is
// bounded.
func (f *foreground) drain() {
	if f.output == nil {
		return
	}
	select {
	case <-f.output:
	case <-time.After(2 * time.Second):
	}
}

// resize copies our terminal's size to the container's.
func (f *foreground) resize() {
	if f.master == nil {
		return
	}
	ws, err := unix.IoctlGetWinsize(int(os.Stdin.Fd()), unix.TIOCGWINSZ)
	if err == nil {
		_ = unix.IoctlSetWinsize(int(f.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

func (f *foreground) close() {
	signal.Stop(f.sigs)
	if f.restore != nil {
		f.restore()
	}
	if f.master != nil {
		f.master.Close()
	}
	if f.l != nil {
		f.l.Close()
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

// makeRaw puts the terminal fd in raw mode (cfmakeraw(3)) and returns how
// to restore it; it does nothing when fd is not a terminal.
func makeRaw(fd int) func() {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN] = 1
	raw.Cc[unix.VTIME] = 0
	if unix.IoctlSetTermios(fd, unix.TCSETS, &raw) != nil {
		return func() {}
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}
