package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
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

// proxySignals forwards the signals the CLI receives to kill until the
// returned stop is called (--sig-proxy, without a terminal): Ctrl-C stops
// the container, not just the CLI.
func proxySignals(kill func(sig string)) (stop func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-ch:
				kill(unix.SignalName(sig.(syscall.Signal)))
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		// signal.Stop waits, yielding, until the runtime's signal loop
		// is idle: up to a millisecond here, at the end of every run.
		// Nothing needs the default handling back at once (a signal in
		// between is dropped), so the CLI does not wait for it.
		go signal.Stop(ch)
	}
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
