package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/rootfs"
)

// Process is a process started by Create or Exec.
type Process struct {
	// Pid is the host PID.
	Pid int
	// Phases are how long each step of Create took (see createPhases);
	// nil for an exec.
	Phases []Phase

	cgroup cgroup.Manager
	// rec is the container's record as Create wrote it (nil for an
	// exec): StartCreated starts from it without reading it back.
	rec *record
}

// Wait waits for the process to end. It works only in the process that
// called Create or Exec: the container process is its child.
func (p *Process) Wait() (ExitStatus, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(p.Pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return ExitStatus{}, fmt.Errorf("waiting for %d: %w", p.Pid, err)
		}
		break
	}
	st := ExitStatus{Code: exitCode(ws)}
	if ws.Signaled() {
		st.Signal = int(ws.Signal())
	}
	if p.cgroup != nil {
		if n, err := p.cgroup.OOMKillCount(); err == nil && n > 0 {
			st.OOMKilled = true
		}
	}
	return st, nil
}

// Start lets a created container's init process execute the user process,
// then runs the poststart hooks. A failing poststart hook kills the
// container, as runc does, and is returned.
func (r *Runtime) Start(ctx context.Context, id string) error {
	rec, err := r.load(id)
	if err != nil {
		return err
	}
	return r.start(ctx, rec)
}

// StartCreated is Start for the init process p that Create returned in
// this process: the record Create wrote travels in memory, and state.json
// (which Create wrote for the OCI command line, for Kill and Delete by id
// and for a later daemon) is not read back.
func (r *Runtime) StartCreated(ctx context.Context, p *Process) error {
	if p == nil || p.rec == nil {
		return fmt.Errorf("starting a container: not an init process from Create: %w", errdefs.ErrInvalidArgument)
	}
	return r.start(ctx, p.rec)
}

// start runs Start on the record rec.
func (r *Runtime) start(ctx context.Context, rec *record) error {
	id := rec.ID
	if st := r.status(rec); st != StatusCreated {
		return fmt.Errorf("container %q is %s, not created: %w", id, st, errdefs.ErrConflict)
	}
	path := filepath.Join(r.dir(id), fifoFile)
	poll := r.startPoll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	if err := waitExecuted(ctx, rec, path, poll); err != nil {
		os.Remove(path)
		return fmt.Errorf("starting container %q: %w", id, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("removing exec fifo of %q: %w", id, err)
	}
	if rec.Config.Hooks != nil && len(rec.Config.Hooks.Poststart) > 0 {
		if err := runHooks(ctx, "poststart", rec.Config.Hooks.Poststart, r.hookState(rec, StatusRunning)); err != nil {
			unix.Kill(rec.Pid, unix.SIGKILL)
			return fmt.Errorf("starting container %q: %w", id, err)
		}
	}
	return nil
}

// Kill sends sig to the init process, or to every process of the
// container when all is true.
func (r *Runtime) Kill(ctx context.Context, id string, sig unix.Signal, all bool) error {
	rec, err := r.load(id)
	if err != nil {
		return err
	}
	if all {
		return r.killAll(rec, sig)
	}
	if !rec.alive() {
		return fmt.Errorf("container %q is not running: %w", id, errdefs.ErrConflict)
	}
	if err := unix.Kill(rec.Pid, sig); err != nil {
		return fmt.Errorf("sending %v to %q (pid %d): %w", sig, id, rec.Pid, err)
	}
	return nil
}

// killAll signals every process in the container's cgroup. The cgroup is
// frozen meanwhile so that no process forks away from the signal.
func (r *Runtime) killAll(rec *record, sig unix.Signal) error {
	cg, err := rec.cgroupOf()
	if err != nil {
		return err
	}
	if cg == nil {
		if rec.alive() {
			return unix.Kill(rec.Pid, sig)
		}
		return nil
	}
	frozen := cg.Freeze() == nil
	pids, err := cg.Pids()
	for _, pid := range pids {
		unix.Kill(pid, sig)
	}
	if frozen {
		cg.Thaw()
	}
	if err != nil {
		return fmt.Errorf("listing processes of %q: %w", rec.ID, err)
	}
	return nil
}

// Delete removes a stopped container (any container when force is true,
// killing it first) and everything it left: processes, cgroup and state
// directory. The container's mounts live in its mount namespace, which the
// kernel tears down with its last process. Poststop hooks run last; their
// failure is logged, as the OCI spec asks, and does not undo the delete.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error {
	rec, err := r.load(id)
	if err != nil {
		if errors.Is(err, errdefs.ErrNotFound) && ValidateID(id) == nil {
			// A create that crashed before writing state.json.
			if _, serr := os.Stat(r.dir(id)); serr == nil {
				return os.RemoveAll(r.dir(id))
			}
		}
		if errors.Is(err, errCorruptState) {
			// Only a power cut leaves one (save): what it described
			// ended with the reboot.
			return os.RemoveAll(r.dir(id))
		}
		return err
	}
	st := r.status(rec)
	// creating: a Create that died before its process existed (or one
	// still under way elsewhere, which the caller chose to delete).
	if st != StatusStopped && st != StatusCreated && st != StatusCreating && !force {
		return fmt.Errorf("container %q is %s: stop it first or delete with force: %w", id, st, errdefs.ErrConflict)
	}
	if st != StatusStopped && st != StatusCreating {
		r.killAll(rec, unix.SIGKILL)
		if rec.alive() {
			unix.Kill(rec.Pid, unix.SIGKILL)
		}
	}
	if err := r.waitGone(ctx, rec); err != nil {
		return err
	}
	if rec.HostRoot != nil {
		if err := rootfs.UnmountHostRoot(*rec.HostRoot); err != nil {
			return fmt.Errorf("removing the mounts of %q: %w", id, err)
		}
	}
	// The files an exec of this container kept open go before its cgroups.
	r.execs.forget(id)
	cg, err := rec.cgroupOf()
	if err != nil {
		return err
	}
	if cg != nil {
		if err := cg.Destroy(); err != nil {
			return fmt.Errorf("removing cgroup of %q: %w", id, err)
		}
	}
	if err := os.RemoveAll(r.dir(id)); err != nil {
		return fmt.Errorf("removing state of %q: %w", id, err)
	}
	if rec.Config.Hooks != nil && len(rec.Config.Hooks.Poststop) > 0 {
		if err := runHooks(ctx, "poststop", rec.Config.Hooks.Poststop, r.hookState(rec, StatusStopped)); err != nil {
			logctx.From(ctx).Warn("poststop hook failed", "container", id, "error", err)
		}
	}
	return nil
}

// waitGone waits until the container's processes are gone: the init
// process and, when there is a cgroup, everything in it.
func (r *Runtime) waitGone(ctx context.Context, rec *record) error {
	cg, _ := rec.cgroupOf()
	deadline := time.Now().Add(10 * time.Second)
	for delay := 100 * time.Microsecond; ; delay = min(delay*2, 50*time.Millisecond) {
		busy := rec.alive()
		if !busy && cg != nil {
			if pids, err := cg.Pids(); err == nil && len(pids) > 0 {
				busy = true
				for _, pid := range pids {
					unix.Kill(pid, unix.SIGKILL)
				}
			}
		}
		if !busy {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %q: processes still running after SIGKILL", rec.ID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// Pids lists the host PIDs of the container's processes.
func (r *Runtime) Pids(ctx context.Context, id string) ([]int, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	cg, err := rec.cgroupOf()
	if err != nil {
		return nil, err
	}
	if cg == nil {
		if rec.alive() {
			return []int{rec.Pid}, nil
		}
		return nil, nil
	}
	return cg.Pids()
}

// Pause freezes every process of a running container.
func (r *Runtime) Pause(ctx context.Context, id string) error {
	cg, err := r.runningCgroup(id)
	if err != nil {
		return err
	}
	if err := cg.Freeze(); err != nil {
		return fmt.Errorf("pausing %q: %w", id, err)
	}
	return nil
}

// Resume thaws a paused container.
func (r *Runtime) Resume(ctx context.Context, id string) error {
	rec, err := r.load(id)
	if err != nil {
		return err
	}
	if st := r.status(rec); st != StatusPaused {
		return fmt.Errorf("container %q is %s, not paused: %w", id, st, errdefs.ErrConflict)
	}
	cg, err := rec.cgroupOf()
	if err != nil || cg == nil {
		return fmt.Errorf("container %q has no cgroup to thaw: %v", id, err)
	}
	if err := cg.Thaw(); err != nil {
		return fmt.Errorf("resuming %q: %w", id, err)
	}
	return nil
}

func (r *Runtime) runningCgroup(id string) (cgroup.Manager, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	if st := r.status(rec); st != StatusRunning {
		return nil, fmt.Errorf("container %q is %s, not running: %w", id, st, errdefs.ErrConflict)
	}
	cg, err := rec.cgroupOf()
	if err != nil {
		return nil, err
	}
	if cg == nil {
		return nil, fmt.Errorf("container %q has no cgroup: %w", id, errdefs.ErrConflict)
	}
	return cg, nil
}

// waitExecuted opens the exec fifo, which lets the init process go on,
// and waits until the program was executed. The protocol after the init's
// reopen: one zero byte (start acknowledged); then, if the program cannot
// run (a startContainer hook or a startup command failed, the execve
// failed), the reason as text; then EOF, since the init's end of the fifo
// is close-on-exec. The fifo is read without blocking, so a dead init
// cannot hang us: we poll and check that it is alive between polls.
//
// A short program may be acknowledged, executed and gone between a poll
// that timed out and the liveness check: what the init wrote is then
// still in the fifo. So a dead init's fifo is drained before its death is
// judged, and a container that started and exited at once counts as
// started (under load, 8 starts in 10,400 were reported as "exited
// before start" before).
func waitExecuted(ctx context.Context, rec *record, path string, poll time.Duration) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening exec fifo: %w", err)
	}
	defer unix.Close(fd)
	var f fifoReader
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(poll.Milliseconds()))
		if err != nil && err != unix.EINTR {
			return fmt.Errorf("waiting on exec fifo: %w", err)
		}
		if n > 0 {
			if eof := f.read(fd); eof && f.acked {
				return f.result()
			}
			if f.progress {
				continue
			}
		}
		if !rec.alive() {
			// Whatever the init wrote before it went is still buffered.
			f.drain(fd)
			if !f.acked && len(f.msg) == 0 {
				return fmt.Errorf("init process exited before start")
			}
			return f.result()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// fifoReader follows the exec fifo protocol of waitExecuted.
type fifoReader struct {
	acked bool
	msg   []byte
	// progress is true when the last read returned data.
	progress bool
	buf      [4096]byte
}

// read reads once; it reports whether the fifo is at EOF (every writer
// closed and nothing buffered).
func (f *fifoReader) read(fd int) (eof bool) {
	m, _ := unix.Read(fd, f.buf[:])
	f.progress = m > 0
	switch {
	case m > 0 && !f.acked:
		f.acked = true
		f.msg = append(f.msg, f.buf[1:m]...)
	case m > 0 && len(f.msg) < 64<<10:
		f.msg = append(f.msg, f.buf[:m]...)
	}
	return m == 0
}

// drain reads until the fifo is empty or at EOF.
func (f *fifoReader) drain(fd int) {
	for !f.read(fd) && f.progress {
	}
}

// result is the outcome once the init is gone or the fifo at EOF: the
// reason the program could not run, or nil.
func (f *fifoReader) result() error {
	if len(f.msg) > 0 {
		return errors.New(string(f.msg))
	}
	return nil
}
