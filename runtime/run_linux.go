package runtime

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// Run creates and starts the container, forwards the signals the caller
// receives to it, waits for it and deletes it. With a terminal and no
// console socket, the caller's stdin and stdout are relayed to the pty.
func (r *Runtime) Run(ctx context.Context, id string, opts CreateOptions) (ExitStatus, error) {
	spec := opts.Spec
	if spec == nil {
		s, err := LoadBundle(opts.Bundle)
		if err != nil {
			return ExitStatus{}, err
		}
		spec, opts.Spec = s, s
	}
	var relay *ptyRelay
	if spec.Process != nil && spec.Process.Terminal && opts.ConsoleSocket == "" {
		var err error
		if relay, err = newPtyRelay(r.Root, id); err != nil {
			return ExitStatus{}, err
		}
		defer relay.close()
		opts.ConsoleSocket = relay.path
	}
	// Signals that arrive before the container runs are kept and sent.
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)

	p, err := r.Create(ctx, id, opts)
	if err != nil {
		return ExitStatus{}, err
	}
	if relay != nil {
		if err := relay.attach(); err != nil {
			r.Delete(context.WithoutCancel(ctx), id, true)
			killAndReap(p.Pid)
			return ExitStatus{}, err
		}
	}
	if err := r.Start(ctx, id); err != nil {
		r.Delete(context.WithoutCancel(ctx), id, true)
		killAndReap(p.Pid)
		return ExitStatus{}, err
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				sig := s.(unix.Signal)
				switch sig {
				case unix.SIGCHLD, unix.SIGURG, unix.SIGPIPE:
					continue
				case unix.SIGWINCH:
					if relay != nil {
						relay.resize()
					}
					continue
				}
				unix.Kill(p.Pid, sig)
			}
		}
	}()
	st, err := p.Wait()
	close(done)
	if relay != nil {
		relay.drain()
	}
	if derr := r.Delete(context.WithoutCancel(ctx), id, true); err == nil && derr != nil {
		err = derr
	}
	return st, err
}

// ptyRelay receives a container's pty master on a private socket and
// copies between it and our own stdin and stdout, with our terminal in raw
// mode.
type ptyRelay struct {
	path    string
	l       *net.UnixListener
	master  *os.File
	restore func()
	wg      sync.WaitGroup
}

func newPtyRelay(root, id string) (*ptyRelay, error) {
	path := filepath.Join(root, "."+id+".console")
	os.Remove(path)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	return &ptyRelay{path: path, l: l}, nil
}

func (p *ptyRelay) attach() error {
	m, err := RecvConsole(p.l)
	if err != nil {
		return err
	}
	p.master = m
	p.restore = makeRaw(int(os.Stdin.Fd()))
	p.resize()
	go copyAll(os.Stdin, m, nil)
	p.wg.Add(1)
	go copyAll(m, os.Stdout, &p.wg)
	return nil
}

// resize copies our terminal's size to the container's.
func (p *ptyRelay) resize() {
	if p.master == nil {
		return
	}
	ws, err := unix.IoctlGetWinsize(int(os.Stdin.Fd()), unix.TIOCGWINSZ)
	if err == nil {
		unix.IoctlSetWinsize(int(p.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// drain waits for the container's last output.
func (p *ptyRelay) drain() {
	if p.master != nil {
		p.wg.Wait()
	}
}

func (p *ptyRelay) close() {
	if p.restore != nil {
		p.restore()
	}
	if p.master != nil {
		p.master.Close()
	}
	p.l.Close()
	os.Remove(p.path)
}

func copyAll(src, dst *os.File, wg *sync.WaitGroup) {
	if wg != nil {
		defer wg.Done()
	}
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// makeRaw puts the terminal fd in raw mode and returns how to restore it;
// it does nothing when fd is not a terminal.
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
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}
