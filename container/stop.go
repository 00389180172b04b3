package container

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// defaultStopTimeout is how long Stop waits after the stop signal before
// SIGKILL.
const defaultStopTimeout = 10 * time.Second

// killWait bounds the wait for a container to go after SIGKILL (a process
// in uninterruptible sleep can take a while).
const killWait = 30 * time.Second

// Stop sends the container's stop signal (the request's, the image's
// STOPSIGNAL or SIGTERM), waits up to timeout seconds (nil: the
// container's stop timeout, else 10; -1: forever) for it to exit, then
// kills every process of the container with SIGKILL. The restart policy
// does not bring a stopped container back. Stopping a container that
// does not run does nothing.
func (s *Service) Stop(ctx context.Context, id string, timeout *int) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	// The stop completes even if the client goes away.
	ctx = context.WithoutCancel(ctx)
	r := e.snapshot()
	wait := stopTimeout(r, timeout)
	if err := s.stop(ctx, e, wait); err != nil {
		return err
	}
	s.publish(e.snapshot(), "stop", nil)
	return nil
}

// stop is Stop without the lookup; wait < 0 waits forever.
func (s *Service) stop(ctx context.Context, e *entry, wait time.Duration) error {
	running, err := s.markStopped(e)
	if err != nil || !running {
		return err
	}
	r := e.snapshot()
	sig, err := parseSignal(r.StopSignal)
	if err != nil {
		sig = unix.SIGTERM
	}
	if r.State.Status == StatePaused {
		// A frozen process cannot act on a signal, not even die.
		if err := s.rt.Resume(ctx, r.ID); err != nil {
			logctx.From(ctx).Warn("resuming a paused container to stop it", "container", r.ID, "error", err)
		}
	}
	if wait != 0 {
		if err := s.rt.Kill(ctx, r.ID, sig, false); err != nil && !errors.Is(err, errdefs.ErrNotFound) && !errors.Is(err, errdefs.ErrConflict) {
			return fmt.Errorf("stopping container %s: %w", r.Name, err)
		}
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if wait > 0 {
			wctx, cancel = context.WithTimeout(ctx, wait)
		}
		_, err := e.waitFor(wctx, func(r *record, _ int, removed bool) bool { return removed || !r.active() })
		cancel()
		if err == nil {
			return nil
		}
	}
	return s.killAndWait(ctx, e)
}

// markStopped records that the user stopped the container (so that no
// restart policy brings it back) and tells whether it has processes. A
// container waiting for a restart is simply set exited.
func (s *Service) markStopped(e *entry) (bool, error) {
	e.op.Lock()
	defer e.op.Unlock()
	running := false
	e.update(func(r *record) {
		r.StoppedByUser = true
		switch r.State.Status {
		case StateRestarting:
			r.State.Status = StateExited
		case StateRunning, StatePaused:
			running = true
		}
	})
	return running, s.save(e)
}

// killAndWait sends SIGKILL to every process of the container and waits
// for the exit to be recorded.
func (s *Service) killAndWait(ctx context.Context, e *entry) error {
	r := e.snapshot()
	if err := s.rt.Kill(ctx, r.ID, unix.SIGKILL, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		return fmt.Errorf("killing container %s: %w", r.Name, err)
	}
	wctx, cancel := context.WithTimeout(ctx, killWait)
	defer cancel()
	if _, err := e.waitFor(wctx, func(r *record, _ int, removed bool) bool { return removed || !r.active() }); err != nil {
		return fmt.Errorf("container %s did not exit after SIGKILL: %w", r.Name, err)
	}
	return nil
}

// Kill sends a signal ("" is SIGKILL) to the container's main process;
// with SIGKILL it returns once the exit is recorded. SIGKILL and the
// container's stop signal count as a stop by the user: the restart
// policy leaves the container alone afterwards.
func (s *Service) Kill(ctx context.Context, id string, signal string) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	sig := unix.SIGKILL
	if signal != "" {
		if sig, err = parseSignal(signal); err != nil {
			return err
		}
	}
	r := e.snapshot()
	if r.State.Status != StateRunning && r.State.Status != StatePaused {
		return errNotRunning(r)
	}
	if stopSig, _ := parseSignal(r.StopSignal); sig == unix.SIGKILL || sig == stopSig {
		if _, err := s.markStopped(e); err != nil {
			return err
		}
	}
	if err := s.rt.Kill(ctx, r.ID, sig, false); err != nil {
		if errors.Is(err, errdefs.ErrConflict) {
			return errNotRunning(r)
		}
		return fmt.Errorf("sending %v to container %s: %w", sig, r.Name, err)
	}
	s.publish(r, "kill", func(ev *api.Event) { ev.Attributes = map[string]string{"signal": fmt.Sprint(int(sig))} })
	if sig != unix.SIGKILL {
		return nil
	}
	// As Docker's: a SIGKILL returns once the container stopped and its
	// exit is recorded, so that `kill X; rm X` works.
	wctx, cancel := context.WithTimeout(ctx, killWait)
	defer cancel()
	if _, err := e.waitFor(wctx, func(r *record, _ int, removed bool) bool { return removed || !r.active() }); err != nil {
		return fmt.Errorf("container %s did not exit after SIGKILL: %w", r.Name, err)
	}
	return nil
}

// Restart stops the container (as Stop) and starts it again.
func (s *Service) Restart(ctx context.Context, id string, timeout *int) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	r := e.snapshot()
	wait := stopTimeout(r, timeout)
	if err := s.stop(context.WithoutCancel(ctx), e, wait); err != nil {
		return err
	}
	if err := s.Start(ctx, e.id); err != nil {
		return err
	}
	s.publish(e.snapshot(), "restart", nil)
	return nil
}

// Pause freezes every process of the container.
func (s *Service) Pause(ctx context.Context, id string) error {
	return s.freeze(ctx, id, true)
}

// Unpause thaws a paused container.
func (s *Service) Unpause(ctx context.Context, id string) error {
	return s.freeze(ctx, id, false)
}

func (s *Service) freeze(ctx context.Context, id string, pause bool) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	r := e.snapshot()
	from, to, action := StateRunning, StatePaused, "pause"
	if !pause {
		from, to, action = StatePaused, StateRunning, "unpause"
	}
	if r.State.Status != from {
		return fmt.Errorf("container %s is %s, not %s: %w", r.Name, r.State.Status, from, errdefs.ErrConflict)
	}
	if pause {
		// No check may be in flight in a frozen container (health.go).
		s.stopHealth(e)
		if err = s.rt.Pause(ctx, r.ID); err != nil {
			s.startHealth(e, false, nil)
		}
	} else {
		err = s.rt.Resume(ctx, r.ID)
	}
	if err != nil {
		return fmt.Errorf("%s of container %s: %w", action, r.Name, err)
	}
	e.update(func(r *record) { r.State.Status = to })
	if !pause {
		s.startHealth(e, false, nil)
	}
	if err := s.save(e); err != nil {
		return err
	}
	s.publish(r, action, nil)
	return nil
}

// stopTimeout is how long a stop waits before SIGKILL: the request's
// timeout, else the container's --stop-timeout, else Docker's 10 s.
func stopTimeout(r *record, timeout *int) time.Duration {
	switch {
	case timeout != nil:
		return time.Duration(*timeout) * time.Second
	case r.Config.StopTimeout != nil:
		return time.Duration(*r.Config.StopTimeout) * time.Second
	}
	return defaultStopTimeout
}
