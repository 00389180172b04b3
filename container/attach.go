package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/monitor"
)

// attacher is a client waiting, on a created (or restarting) container,
// for the monitor of its next start.
type attacher struct {
	// ready receives the monitor's directory.
	ready chan string
	// connected is closed once the client connected (or gave up).
	connected chan struct{}
	once      sync.Once
	// failed is closed when the start that released the client failed
	// after that: the init the monitor saw end was never the container's
	// run, and no exit will be recorded for the session to wait for.
	failed     chan struct{}
	failedOnce sync.Once
}

func newAttacher() *attacher {
	return &attacher{ready: make(chan string, 1), connected: make(chan struct{}), failed: make(chan struct{})}
}

// done tells the start that this client no longer needs waiting for.
func (a *attacher) done() { a.once.Do(func() { close(a.connected) }) }

func (a *attacher) fail() { a.failedOnce.Do(func() { close(a.failed) }) }

// releaseAttachers hands the new monitor to the clients waiting for the
// start and returns a function that waits (bounded) until they connected,
// and one that tells them the start failed. The start calls the first
// before the container's program may run, so that they miss nothing;
// their connecting overlaps the runtime's create.
func (s *Service) releaseAttachers(e *entry, dir string) (waitConnected, failed func()) {
	e.mu.Lock()
	waiting := e.attachers
	e.attachers = nil
	e.mu.Unlock()
	for _, a := range waiting {
		a.ready <- dir
	}
	waitConnected = func() {
		deadline := time.After(attachWait)
		for _, a := range waiting {
			select {
			case <-a.connected:
			case <-deadline:
				return
			}
		}
	}
	failed = func() {
		for _, a := range waiting {
			a.fail()
		}
	}
	return waitConnected, failed
}

// failAttachers ends the wait of the clients attached to a container
// whose start failed before it had a monitor.
func (s *Service) failAttachers(e *entry) {
	e.mu.Lock()
	waiting := e.attachers
	e.attachers = nil
	e.mu.Unlock()
	for _, a := range waiting {
		a.ready <- ""
	}
}

// clientFrame is one frame from an attached client.
type clientFrame struct {
	stream byte
	p      []byte
}

// readFrames reads a client's frames into ch until the client stops
// sending (then ch is closed) or done is closed.
func readFrames(conn io.Reader, ch chan<- clientFrame, done <-chan struct{}) {
	defer close(ch)
	for {
		stream, p, err := api.ReadFrame(conn, nil)
		if err != nil {
			return
		}
		select {
		case ch <- clientFrame{stream, p}:
		case <-done:
			return
		}
	}
}

// maxEarlyInput bounds the stdin a client may send before the container
// starts; it is held and delivered once the container runs.
const maxEarlyInput = 1 << 20

// Attach relays the container's live output to conn (frames of the
// streams opts selects) and, with opts.Stdin and a container created with
// OpenStdin, the client's stdin frames to it, plus resizes. It ends when
// the container exits (after an api.Exit frame), when the client types
// the detach keys, or when the client can no longer be written to. On a
// created container it waits for the start and misses no output; with
// opts.Logs the log so far is sent first. A stopped container can only be
// attached with opts.Logs: its log and last exit code are sent.
func (s *Service) Attach(ctx context.Context, id string, opts AttachOptions, conn io.ReadWriter) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	keys, err := parseDetachKeys(opts.DetachKeys)
	if err != nil {
		return err
	}
	if !opts.Stdout && !opts.Stderr && !opts.Stdin {
		opts.Stdout, opts.Stderr = true, true
	}
	// The exit this session reports is the first one after exits0.
	r, exits0, _, _ := e.observe()
	if !r.Config.Tty {
		// As Docker: detach keys are typed on a terminal. In piped
		// stdin they are data (any binary input holds ctrl-p ctrl-q).
		keys = nil
	}
	dir := s.monitorDir(r.ID)
	var ac *monitor.AttachConn
	var wait *attacher
	switch r.State.Status {
	case StateRunning, StatePaused:
		// Errors until conn is first used become the answer's status.
		if ac, err = monitor.Attach(ctx, dir); err != nil {
			if errors.Is(err, errdefs.ErrNotFound) {
				return fmt.Errorf("container %s is not running: %w", r.Name, errdefs.ErrConflict)
			}
			return err
		}
	case StateCreated, StateRestarting:
		wait = newAttacher()
		e.mu.Lock()
		e.attachers = append(e.attachers, wait)
		e.mu.Unlock()
		defer func() {
			wait.done()
			e.mu.Lock()
			for i, a := range e.attachers {
				if a == wait {
					e.attachers = append(e.attachers[:i], e.attachers[i+1:]...)
					break
				}
			}
			e.mu.Unlock()
		}()
	default:
		if !opts.Logs {
			return fmt.Errorf("you cannot attach to a stopped container, start it first: %w", errdefs.ErrConflict)
		}
	}
	fc := &frameConn{w: conn}
	if ac != nil {
		defer ac.Close()
	}
	if opts.Logs {
		lw := &logWriter{w: fcWriter{fc}, opts: LogsOptions{Stdout: opts.Stdout, Stderr: opts.Stderr, Tail: -1}, bol: map[byte]bool{api.Stdout: true, api.Stderr: true}}
		if err := monitor.ReadLogs(ctx, s.logPath(r.ID), monitor.LogOptions{Tail: -1}, lw.entry); err != nil && fc.dead {
			return nil
		}
	}
	if ac == nil && wait == nil {
		fc.exit(r.State.ExitCode)
		return nil
	}
	s.publish(r, "attach", nil)

	frames := make(chan clientFrame, 64)
	stop := make(chan struct{})
	defer close(stop)
	go readFrames(conn, frames, stop)
	// Frames sent before the start (stdin piped in at once, the first
	// terminal size) are held for the container.
	var early []clientFrame
	earlySize := 0
	if wait != nil {
		// Wait for the start, the removal of the container, or the
		// client leaving.
		_, _, _, changed := e.observe()
		for ac == nil {
			select {
			case d := <-wait.ready:
				if d == "" {
					return nil // the start failed; its caller got the error
				}
				ac, err = monitor.Attach(ctx, d)
				wait.done()
				if err != nil {
					return nil
				}
				defer ac.Close()
			case f, ok := <-frames:
				if !ok {
					return nil
				}
				if earlySize += len(f.p); earlySize <= maxEarlyInput {
					early = append(early, f)
				}
			case <-changed:
				var removed bool
				_, _, removed, changed = e.observe()
				if removed {
					return nil
				}
			case <-ctx.Done():
				return nil
			}
		}
	}
	// The session that started the container (run, start -a: attached
	// before the start) must get all the output, however slowly it reads:
	// the monitor waits for it rather than dropping it, and the container
	// blocks on its stdout meanwhile. A client attaching to a container
	// already running is dropped when it falls behind instead, so that a
	// stalled observer never holds a service back (its log keeps going).
	if wait != nil {
		if err := ac.WaitForMe(); err != nil {
			return nil // the monitor is gone: the container exited
		}
	}
	// The end of ctx (the daemon's shutdown ends every stream) ends the
	// session even when the container is quiet: relay waits in
	// ac.ReadFrame, which returns once ac is closed.
	stopClosing := context.AfterFunc(ctx, func() { ac.Close() })
	defer stopClosing()
	code, exited := s.relay(ac, fc, early, frames, opts, keys, r.Config.OpenStdin)
	if exited {
		e.exitSeen() // exit.go
		// The monitor reports the exit before our watcher recorded it.
		// A client told the exit code must find the container stopped
		// (`run X; rm X`), as Docker guarantees: wait for the record.
		// An --rm container is told once it is removed (or its removal
		// failed), so that its client need not ask (`run --rm --name X`
		// twice; see api.ExitAfterRemovalHeader).
		// Unless the start this session waited for failed once the
		// client had connected: the monitor then saw a failed init end,
		// no exit is recorded, and the start's error is the answer.
		wctx, cancel := context.WithTimeout(ctx, killWait)
		if wait != nil {
			go func() {
				select {
				case <-wait.failed:
					cancel()
				case <-wctx.Done():
				}
			}()
		}
		e.waitFor(wctx, func(r *record, exits int, removed bool) bool {
			return removed || exits > exits0 && (!r.Config.AutoRemove || e.handledSince(exits0))
		})
		cancel()
		if wait != nil {
			select {
			case <-wait.failed:
				return nil
			default:
			}
		}
		fc.exit(code)
	}
	return nil
}

// relay carries frames between the monitor and the client until the
// container exits, the client detaches or cannot be written to. It
// returns the exit code when the container exited and the client is
// still to be told (not detached); the caller sends the Exit frame.
func (s *Service) relay(ac *monitor.AttachConn, fc *frameConn, early []clientFrame, frames <-chan clientFrame, opts AttachOptions, keys []byte, openStdin bool) (code int, exited bool) {
	detached := make(chan struct{})
	go func() {
		det := &detacher{keys: keys}
		stdin := opts.Stdin && openStdin
		next := func() (clientFrame, bool) {
			if len(early) > 0 {
				f := early[0]
				early = early[1:]
				return f, true
			}
			f, ok := <-frames
			return f, ok
		}
		for f, ok := next(); ok; f, ok = next() {
			switch f.stream {
			case api.Stdin:
				if !opts.Stdin {
					continue
				}
				p, done := det.feed(f.p)
				if stdin && len(p) > 0 {
					if ac.WriteStdin(p) != nil {
						return
					}
				}
				if done {
					close(detached)
					return
				}
			case api.CloseStdin:
				if stdin {
					ac.CloseStdin()
				}
			case api.Resize:
				if rows, cols, ok := api.ParseResize(f.p); ok {
					ac.Resize(rows, cols)
				}
			}
		}
	}()
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		// On detach, the frames sent so far (a resize) must reach the
		// monitor before we hang up; see lingerClose. A session that
		// ends otherwise ends this goroutine too.
		select {
		case <-detached:
			lingerClose(ac)
		case <-returned:
		}
	}()
	for {
		stream, p, err := ac.ReadFrame()
		if err != nil {
			// The monitor went away without an exit frame (it dropped a
			// slow client, or we detached).
			return 0, false
		}
		switch stream {
		case api.Stdout, api.Stderr:
			if (stream == api.Stdout && !opts.Stdout) || (stream == api.Stderr && !opts.Stderr) {
				continue
			}
			select {
			case <-detached:
				continue // lingering: nothing more for the client
			default:
			}
			if fc.write(stream, p) != nil {
				return 0, false
			}
		case api.Exit:
			code, err := monitor.ExitCode(p)
			if err != nil {
				code = exitUnknown
			}
			select {
			case <-detached:
				return 0, false
			default:
				return code, true
			}
		}
	}
}

// fcWriter adapts a frameConn to FrameWriter.
type fcWriter struct{ fc *frameConn }

func (w fcWriter) WriteFrame(stream byte, p []byte) error { return w.fc.write(stream, p) }

// Resize sets the terminal size of a running container with a tty (a
// container without one ignores it).
func (s *Service) Resize(ctx context.Context, id string, height, width uint16) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	r := e.snapshot()
	if r.State.Status != StateRunning && r.State.Status != StatePaused {
		return errNotRunning(r)
	}
	if !r.Config.Tty {
		return nil
	}
	ac, err := monitor.Attach(ctx, s.monitorDir(r.ID))
	if err != nil {
		return fmt.Errorf("resizing the terminal of %s: %w", r.Name, err)
	}
	if err := ac.Resize(height, width); err != nil {
		ac.Close()
		return err
	}
	go func() {
		for {
			if _, _, err := ac.ReadFrame(); err != nil {
				return
			}
		}
	}()
	lingerClose(ac)
	return nil
}

// lingerTime is how long a client that is done writing keeps reading
// before it hangs up.
const lingerTime = 100 * time.Millisecond

// lingerClose closes ac after lingerTime, during which someone keeps
// reading it. The monitor drops a client it cannot send output to, and
// discards the frames it has not read from it yet: a resize written just
// before a hang-up would be lost if output came in between. Reading on
// for a moment lets the monitor take our frames first.
func lingerClose(ac *monitor.AttachConn) {
	time.Sleep(lingerTime)
	ac.Close()
}
