package container

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/healthexec"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// Health checks are scheduled in the daemon: one goroutine per running
// container with a check, sleeping on a timer between checks. Each check
// is run by the container's health executor (internal/healthexec), a
// small C process started at the run's first check from the exec
// template of the check's process (runtime.ExecTemplate: the same exec
// into the container as `exec`, prepared once): the goroutine writes
// "run", the executor forks the exec stage, reads the first 4 KiB of the
// process's stdout and stderr, reaps it (killing it past the timeout)
// and sends the result back in one packet. A check then costs the Go
// runtime one timer wake, one write and one read. The goroutine, and
// with it the executor, ends when the run ends (handleExit), the
// container is paused (Unpause starts a new one) or the Service closes
// (the next daemon resumes it for the containers still running).
//
// The health lives in the record's run state. It is saved with the record
// when its status changes, and by any lifecycle operation; the results in
// between are kept in memory only, so that a check costs the daemon no
// database write.

// healthStopWait bounds how long stopHealth waits for a check in flight
// to end (it is killed; an exec that is still starting fails once the
// container is gone).
const healthStopWait = 10 * time.Second

// healthRun is the goroutine of one run's checks.
type healthRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startHealth starts the checks of e's current run, if it has a health
// check and runs. A new run (fresh) starts as "starting" with prev's log
// kept, as Docker does; a re-adopted or unpaused one keeps its health.
func (s *Service) startHealth(e *entry, fresh bool, prev *api.Health) {
	r := e.snapshot()
	if !healthEnabled(r.Healthcheck) || r.State.Status != StateRunning {
		return
	}
	s.stopHealth(e)
	ctx, cancel := context.WithCancel(s.bg)
	run := &healthRun{cancel: cancel, done: make(chan struct{})}
	e.mu.Lock()
	e.health = run
	if fresh || e.rec.State.Health == nil {
		h := &api.Health{Status: api.HealthStarting, Log: []api.HealthResult{}}
		if prev != nil {
			h.Log = append(h.Log, prev.Log...)
		}
		e.rec.State.Health = h
		e.notifyLocked()
	}
	e.mu.Unlock()
	hc, shell, startedAt := r.Healthcheck, r.Config.Shell, r.State.StartedAt
	s.goBg(func(context.Context) {
		defer close(run.done)
		defer cancel()
		s.healthLoop(ctx, e, hc, shell, startedAt)
	})
}

// stopHealth ends the checks of e and waits until no check is in flight
// (one running is killed) and the executor has exited, so that the caller may freeze the container
// or remove its cgroups: an exec still starting would be frozen with it,
// or make its cgroup again.
func (s *Service) stopHealth(e *entry) {
	e.mu.Lock()
	run := e.health
	e.health = nil
	e.mu.Unlock()
	if run == nil {
		return
	}
	run.cancel()
	select {
	case <-run.done:
	case <-time.After(healthStopWait):
		logctx.From(s.bg).Warn("a health check did not end", "container", e.id)
	}
}

// healthLoop runs the checks of the run that started at startedAt until
// ctx ends or the run does; shell runs a CMD-SHELL check.
func (s *Service) healthLoop(ctx context.Context, e *entry, hc *api.HealthConfig, shell []string, startedAt time.Time) {
	t := timingsOf(hc)
	argv := healthArgv(hc, shell)
	status := func() string {
		e.mu.Lock()
		defer e.mu.Unlock()
		if h := e.rec.State.Health; h != nil {
			return h.Status
		}
		return api.HealthStarting
	}
	timer := time.NewTimer(nextHealthCheck(t, status(), startedAt, time.Now()))
	defer timer.Stop()
	// The executor of the run's checks, started at the first check from
	// the check's process (the container's, with the check's command)
	// and again after it failed.
	var hx *healthexec.Executor
	defer func() {
		if hx != nil {
			hx.Close()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r := e.snapshot()
		if r.State.Status != StateRunning || !r.State.StartedAt.Equal(startedAt) {
			return
		}
		var res api.HealthResult
		if hx == nil {
			var err error
			if hx, err = s.startHealthExec(ctx, e, r, argv); err != nil {
				now := time.Now().UTC()
				res = api.HealthResult{Start: now, End: now, ExitCode: -1, Output: err.Error()}
			}
		}
		if hx != nil {
			var broken bool
			res, broken = runProbe(ctx, hx, r.ID, t.timeout)
			if broken {
				hx.Close()
				hx = nil
			}
		}
		if ctx.Err() != nil {
			return // stopped during the check: its result does not count
		}
		s.recordHealth(ctx, e, t, startedAt, res)
		timer.Reset(nextHealthCheck(t, status(), startedAt, time.Now()))
	}
}

// startHealthExec starts the health executor of r's run for the check
// argv.
func (s *Service) startHealthExec(ctx context.Context, e *entry, r *record, argv []string) (*healthexec.Executor, error) {
	p, err := s.execProcess(e, r, api.ExecCreate{Cmd: argv})
	if err != nil {
		return nil, err
	}
	t, err := s.rt.ExecTemplate(r.ID, p)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return healthexec.Start(ctx, r.ID, healthexec.Template{
		Exe: t.Exe, Args: t.Args, Env: t.Env, CgroupProcs: t.CgroupProcs, Sync: t.Sync,
	})
}

// recordHealth applies a result to the run's health, publishes
// health_status on a change of status and saves it then.
func (s *Service) recordHealth(ctx context.Context, e *entry, t healthTimings, startedAt time.Time, res api.HealthResult) {
	e.mu.Lock()
	st := &e.rec.State
	if ctx.Err() != nil || st.Status != StateRunning || !st.StartedAt.Equal(startedAt) {
		e.mu.Unlock()
		return
	}
	old := st.Health
	st.Health = applyHealthResult(old, t, startedAt, res)
	changed := old == nil || old.Status != st.Health.Status
	status := st.Health.Status
	e.notifyLocked()
	rec := e.rec.clone()
	e.mu.Unlock()
	if !changed {
		return
	}
	// A lifecycle operation in progress saves the record itself; saving
	// here could then write an older state after its newer one.
	if e.op.TryLock() {
		if err := s.save(e); err != nil {
			logctx.From(ctx).Warn("saving the health status", "container", e.id, "error", err)
		}
		e.op.Unlock()
	}
	s.publish(rec, "health_status: "+status, nil)
}

// runProbe runs one check in container id through its executor: exit
// code 0 is a success; past timeout the process is killed and the check
// failed with -1, as one that could not start. broken tells that the
// executor cannot be used again.
func runProbe(ctx context.Context, hx *healthexec.Executor, id string, timeout time.Duration) (res api.HealthResult, broken bool) {
	start := time.Now().UTC()
	out, err := hx.Run(ctx, timeout)
	var cerr *healthexec.CheckError
	switch {
	case errors.As(err, &cerr):
		now := time.Now().UTC()
		return api.HealthResult{Start: start, End: now, ExitCode: -1,
			Output: fmt.Sprintf("exec in %q: %s", id, cerr.Message)}, false
	case err != nil:
		now := time.Now().UTC()
		return api.HealthResult{Start: start, End: now, ExitCode: -1, Output: err.Error()}, true
	case out.TimedOut:
		return api.HealthResult{Start: out.Start, End: out.End, ExitCode: -1,
			Output: fmt.Sprintf("Health check exceeded timeout (%v)", timeout)}, false
	}
	var b limitedBuffer
	b.Write(out.Output)
	b.truncated = out.Truncated
	return api.HealthResult{Start: out.Start, End: out.End, ExitCode: out.ExitCode, Output: b.String()}, false
}
