package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/client"
)

// session connects our stdio to an attach or exec Stream.
type session struct {
	stream *client.Stream
	// tty: the process has a terminal; its output is raw and our terminal
	// goes raw too.
	tty bool
	// stdin: forward our stdin (-i).
	stdin bool
	// detachKeys end the session, leaving the process running (with a
	// terminal only, as Docker).
	detachKeys []byte
}

// sessionResult is how a session ended.
type sessionResult struct {
	code     int
	exited   bool // an Exit frame came, with code
	detached bool // the user typed the detach keys
}

// signalProxy forwards the signals the CLI receives to a container
// (--sig-proxy, without a terminal): Ctrl-C stops the container, not just
// the CLI.
//
// Catching them (signal.Notify) costs 0.25-0.45 ms here: the runtime
// hands each signal to its signal thread and waits. A run starts that
// before its create request, so that it overlaps it, and needs it done
// only before the start. A signal caught before there is a container to
// forward to does what it would have done uncaught: the CLI dies by it.
type signalProxy struct {
	ch    chan os.Signal
	ready chan struct{} // closed once the signals are caught
	done  chan struct{}

	mu   sync.Mutex
	kill func(sig string)
}

// proxiedSignals are the signals forwarded.
var proxiedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// startSignalProxy starts catching the signals, in the background.
func startSignalProxy() *signalProxy {
	p := &signalProxy{ch: make(chan os.Signal, 4), ready: make(chan struct{}), done: make(chan struct{})}
	go func() {
		signal.Notify(p.ch, proxiedSignals...)
		close(p.ready)
		for {
			select {
			case sig := <-p.ch:
				p.mu.Lock()
				kill := p.kill
				p.mu.Unlock()
				if kill == nil {
					signal.Reset(sig)
					unix.Kill(unix.Getpid(), sig.(syscall.Signal))
					continue
				}
				kill(unix.SignalName(sig.(syscall.Signal)))
			case <-p.done:
				return
			}
		}
	}()
	return p
}

// forward sends the signals to kill from now on. It returns once they
// are caught: none is missed after it.
func (p *signalProxy) forward(kill func(sig string)) {
	<-p.ready
	p.mu.Lock()
	p.kill = kill
	p.mu.Unlock()
}

// stop ends the forwarding. signal.Stop waits, yielding, until the
// runtime's signal loop is idle: up to a millisecond here, at the end of
// every run. Nothing needs the default handling back at once (a signal
// in between is dropped), so the CLI does not wait for it.
func (p *signalProxy) stop() {
	close(p.done)
	go func() {
		<-p.ready
		signal.Stop(p.ch)
	}()
}

// runToExit runs the session and returns the process's exit code: the
// Exit frame's, or, when the stream ended without one, what status asks
// the daemon. detached reports that the user detached, leaving the
// process running (code and err are then zero).
func (s session) runToExit(ctx context.Context, c *cli, status func() (int, error)) (code int, detached bool, err error) {
	res, err := s.run(ctx, c)
	switch {
	case res.detached:
		return 0, true, nil
	case err != nil:
		return 0, false, err
	case res.exited:
		return res.code, false, nil
	}
	code, err = status()
	return code, false, err
}

// run pumps the session until the process exits, the stream ends or the
// user detaches.
func (s session) run(ctx context.Context, c *cli) (sessionResult, error) {
	if s.tty {
		if fd, ok := terminal(c.in); ok && s.stdin {
			restore, err := rawTerminal(fd)
			if err == nil {
				defer restore()
			}
		}
		if fd, ok := terminal(c.out); ok {
			stop := watchResize(fd, func(rows, cols uint16) { s.stream.Resize(rows, cols) })
			defer stop()
		}
	}

	var detached atomic.Bool
	if s.stdin {
		in := c.in
		if s.tty && len(s.detachKeys) > 0 {
			in = newDetachReader(in, s.detachKeys)
		}
		go func() {
			err := copyStdin(s.stream, in)
			if errors.Is(err, errDetached) {
				detached.Store(true)
				s.stream.Close()
			}
		}()
	}
	code, exited, err := s.stream.Copy(c.out, c.err)
	if detached.Load() {
		return sessionResult{detached: true}, nil
	}
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return sessionResult{code: code, exited: exited}, err
}

// copyStdin sends r to the stream, and closes the process's stdin at EOF.
func copyStdin(st *client.Stream, r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := st.WriteStdin(buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return st.CloseStdin()
		}
		if err != nil {
			return err
		}
	}
}
