package container

import (
	"context"
	"fmt"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/runtime"
)

// Health checks run in the daemon: one goroutine per running container
// with a check, sleeping on a timer between checks; each check is an exec
// into the container through the runtime (the same path as `exec`), its
// stdout and stderr into one pipe of which the first 4 KiB are kept. The
// goroutine ends when the run ends (handleExit), the container is paused
// (Unpause starts a new one) or the Service closes (the next daemon
// resumes it for the containers still running).
//
// The health lives in the record's run state. It is saved with the record
// when its status changes, and by any lifecycle operation; the results in
// between are kept in memory only, so that a check costs the daemon no
// database write.

// probeDrain bounds how long a check's output is still read after its
// process exited: a process it left in the background may hold the pipe.
const probeDrain = time.Second

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
// (one running is killed), so that the caller may freeze the container
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
	// The check's process: the container's, with the check's command,
	// made at the first check of the run and reused.
	var proc *specs.Process
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
		if proc == nil {
			p, err := s.execProcess(e, r, api.ExecCreate{Cmd: argv})
			if err != nil {
				now := time.Now().UTC()
				res = api.HealthResult{Start: now, End: now, ExitCode: -1, Output: err.Error()}
			}
			proc = p
		}
		if proc != nil {
			p := *proc
			res = s.runProbe(ctx, r.ID, &p, t.timeout)
		}
		if ctx.Err() != nil {
			return // stopped during the check: its result does not count
		}
		s.recordHealth(ctx, e, t, startedAt, res)
		timer.Reset(nextHealthCheck(t, status(), startedAt, time.Now()))
	}
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

// runProbe runs one check in container id: exit code 0 is a success;
// past timeout the process is killed and the check failed with -1, as
// one that could not start.
func (s *Service) runProbe(ctx context.Context, id string, p *specs.Process, timeout time.Duration) api.HealthResult {
	res := api.HealthResult{Start: time.Now().UTC(), ExitCode: -1}
	failed := func(err error) api.HealthResult {
		res.End, res.Output = time.Now().UTC(), err.Error()
		return res
	}
	rd, wr, err := probePipe()
	if err != nil {
		return failed(fmt.Errorf("health check: making a pipe: %w", err))
	}
	defer rd.Close()
	proc, err := s.rt.Exec(ctx, id, p, runtime.ExecOptions{Stdio: runtime.Stdio{Stdout: wr, Stderr: wr}})
	wr.Close()
	if err != nil {
		return failed(err)
	}
	var out limitedBuffer
	st, timedOut, werr := readProbe(ctx, rd, &out, proc.Pid, timeout)
	if ctx.Err() != nil {
		return failed(ctx.Err())
	}
	res.End = time.Now().UTC()
	switch {
	case timedOut:
		res.Output = fmt.Sprintf("Health check exceeded timeout (%v)", timeout)
	case werr != nil:
		res.Output = werr.Error()
	default:
		res.ExitCode, res.Output = st, out.String()
	}
	return res
}

// waitProbe waits for the check's process pid (our child) to end and
// reaps it, returning its exit code (128+n for signal n). Past timeout, or
// when ctx ends, it kills the process first (timedOut tells the first).
// The wait is on a pidfd in Go's poller, so that a check holds no thread
// in a blocking wait4.
func waitProbe(ctx context.Context, pid int, timeout time.Duration) (code int, timedOut bool, err error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		code, err := reap(pid, 0)
		return code, false, err
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	f.SetReadDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		code, err := reap(pid, 0)
		return code, false, err
	}
	// A pidfd is readable once the process has exited.
	var werr error
	rerr := rc.Read(func(uintptr) bool {
		var reaped bool
		code, reaped, werr = reapNoHang(pid)
		return reaped || werr != nil
	})
	if rerr == nil {
		return code, false, werr
	}
	// The deadline: the timeout, or ctx ended.
	unix.Kill(pid, unix.SIGKILL)
	code, err = reap(pid, 0)
	return code, ctx.Err() == nil, err
}

// reapNoHang reaps pid if it has exited.
func reapNoHang(pid int) (code int, reaped bool, err error) {
	var ws unix.WaitStatus
	for {
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, false, fmt.Errorf("waiting for the health check's process %d: %w", pid, err)
		}
		if got == 0 {
			return 0, false, nil
		}
		return exitCodeOf(ws), true, nil
	}
}

// reap waits for pid to end and reaps it.
func reap(pid int, flags int) (int, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, flags, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("waiting for the health check's process %d: %w", pid, err)
		}
		return exitCodeOf(ws), nil
	}
}

// exitCodeOf is a process's exit code as a shell reports it: its status,
// or 128+n when signal n killed it.
func exitCodeOf(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
