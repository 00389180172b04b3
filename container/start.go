package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/runtime"
)

// attachWait bounds how long a start waits for the clients that attached
// to the created container to connect to its monitor.
const attachWait = 5 * time.Second

// Start starts a created or exited container. Starting a running
// container does nothing. The start is complete when the container's
// process runs: its startup commands have all succeeded (a failing one
// fails the start with an error naming it) and the target was executed.
func (s *Service) Start(ctx context.Context, id string) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	e.op.Lock()
	defer e.op.Unlock()
	if e.isRemoved() {
		return fmt.Errorf("no such container: %s: %w", id, errdefs.ErrNotFound)
	}
	switch r := e.snapshot(); r.State.Status {
	case StateRunning:
		return nil
	case StatePaused:
		return fmt.Errorf("container %s is paused: unpause it instead: %w", r.Name, errdefs.ErrConflict)
	}
	e.update(func(r *record) {
		r.StoppedByUser = false
		r.RestartCount = 0
	})
	return s.startLocked(ctx, e)
}

// startLocked runs one start. The caller holds e.op. On failure the
// container is left as it was (created or exited) with the error in its
// state, and nothing of the run remains: no monitor, mount or runtime
// state.
func (s *Service) startLocked(ctx context.Context, e *entry) (retErr error) {
	r := e.snapshot()
	log := logctx.From(ctx).With("container", r.ID)
	spec, err := s.loadSpec(e)
	if err != nil {
		return err
	}
	nw, err := s.network(r.Network)
	if err != nil {
		return err
	}
	nc := NetworkContainer{
		ID: r.ID, Name: r.Name, Hostname: spec.Hostname, Network: r.Network, Dir: s.containerDir(r.ID),
		Ports: r.Ports, DNS: r.Config.DNS, ExtraHosts: r.Config.ExtraHosts,
		Aliases:   r.Config.NetworkAliases,
		DNSSearch: r.Config.DNSSearch, DNSOptions: r.Config.DNSOptions,
	}
	var phases []api.Phase
	phase := func(name string, since time.Time) {
		phases = append(phases, api.Phase{Name: name, Duration: time.Since(since)})
	}
	var undo []func()
	defer func() {
		if retErr == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		s.failAttachers(e)
		e.update(func(r *record) {
			r.State.Error = retErr.Error()
			if r.State.Status == StateRestarting {
				r.State.Status = StateExited
			}
		})
		if err := s.save(e); err != nil {
			log.Warn("saving a failed start", "error", err)
		}
	}()

	t := time.Now()
	// The monitor Create started ahead, or one that gets ready while the
	// root file system is mounted; the phase "monitor" is what is left
	// of its start after "rootfs".
	pending := e.takeMonitor()
	if pending == nil {
		pending = s.startMonitor(ctx, r)
	}
	undo = append(undo, func() { pending.discard(ctx) })
	if err := s.mountRootfs(ctx, r); err != nil {
		return err
	}
	undo = append(undo, func() {
		if err := s.unmountRootfs(r.ID); err != nil {
			log.Warn("unmounting after a failed start", "error", err)
		}
	})
	// The container's user (-u, else the image's USER) is resolved at
	// every start, against the container's files as they are now.
	u, err := resolveUser(s.rootfsDir(r.ID), r.Config.User)
	if err != nil {
		return fmt.Errorf("starting container %s: %w", r.Name, err)
	}
	applyUser(spec.Process, u)
	if err := s.startHostConfig(spec, r); err != nil {
		return fmt.Errorf("starting container %s: %w", r.Name, err)
	}
	if err := s.copyUpVolumes(ctx, e, r); err != nil {
		return fmt.Errorf("starting container %s: %w", r.Name, err)
	}
	// The terminal has the client's size before the process runs: a
	// resize sent after the start would come too late for a command
	// that reads it at once (stty size).
	spec.Process.ConsoleSize = consoleSize(spec.Process.Terminal, r.Config.ConsoleSize)
	phase("rootfs", t)

	t = time.Now()
	mon, err := pending.wait()
	if err != nil {
		return err
	}
	defer mon.Close()
	phase("monitor", t)
	// Clients that attached to the created container connect now; the
	// program runs only once they did (attachersConnected below).
	attachersConnected, attachersFailed := s.releaseAttachers(e, pending.dir)
	undo = append(undo, attachersFailed)

	// The startup commands' results, one JSON line each; a container
	// without any needs no file.
	var report *os.File
	if len(r.StartupCommands) > 0 {
		report, err = os.OpenFile(filepath.Join(s.containerDir(r.ID), "startup.jsonl"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("creating the startup report: %w", err)
		}
		defer report.Close()
	}

	// With a terminal, the init sends the pty master straight to the
	// monitor's console.sock.
	console := ""
	if spec.Process.Terminal {
		console = mon.ConsoleSocket()
	}

	t = time.Now()
	// The monitor launches the init (so that it is the monitor's child),
	// which runs the image's startup commands before the target and
	// reports each one's result as a JSON line to report.
	proc, err := s.rt.Create(ctx, r.ID, runtime.CreateOptions{
		Bundle: s.containerDir(r.ID), Spec: spec, ConsoleSocket: console, Launcher: mon,
		StartupCommands: r.StartupCommands, StartupReport: report, Init: r.Config.Init,
	})
	if err != nil {
		return fmt.Errorf("creating container %s: %w", r.Name, err)
	}
	undo = append(undo, func() { s.deleteRuntime(ctx, r.ID) })
	// The runtime's own phases (runtime.Phase: prepare, cgroups,
	// namespaces, mounts, pivot_root, privileges, ...), each stamped by
	// the process doing it; a runtime that could not stamp them gives one
	// "create".
	if len(proc.Phases) == 0 {
		phase("create", t)
	}
	for _, p := range proc.Phases {
		phases = append(phases, api.Phase{Name: p.Name, Duration: p.Duration})
	}

	t = time.Now()
	netStatus, err := nw.Attach(ctx, nc, proc.Pid)
	if err != nil {
		return fmt.Errorf("attaching container %s to network %s: %w", r.Name, r.Network, err)
	}
	undo = append(undo, func() { nw.Detach(ctx, nc) })
	extraNets, err := s.connectExtras(ctx, r) // Detach removes them too
	if err != nil {
		return err
	}
	phase("network", t)

	attachersConnected()
	t = time.Now()
	startErr := s.rt.StartCreated(ctx, proc)
	started := time.Since(t)
	var results []api.StartupResult
	if report != nil {
		var rerr error
		if results, rerr = readStartupReport(report); rerr != nil {
			log.Warn("reading the startup report", "error", rerr)
		}
	}
	var inStartup time.Duration
	for _, res := range results {
		inStartup += res.Duration
		s.publish(r, "startup-command", func(ev *api.Event) {
			code := res.ExitCode
			ev.ExitCode = &code
			res := res
			ev.StartupCommand = &res
		})
	}
	e.update(func(r *record) { r.StartupResults = results })
	if startErr != nil {
		if i := slices.IndexFunc(results, func(res api.StartupResult) bool { return res.ExitCode != 0 }); i >= 0 {
			return fmt.Errorf("startup command %d %s failed with exit code %d: %w", i+1, formatArgs(results[i].Args), results[i].ExitCode, errdefs.ErrConflict)
		}
		return fmt.Errorf("starting container %s: %w", r.Name, startErr)
	}
	if len(r.StartupCommands) > 0 {
		phases = append(phases, api.Phase{Name: "startup-commands", Duration: inStartup})
	}
	phases = append(phases, api.Phase{Name: "exec", Duration: max(started-inStartup, 0)})

	now := time.Now().UTC()
	e.update(func(rec *record) {
		rec.HasStarted = true
		rec.StartPhases = phases
		rec.State = runState{
			Status: StateRunning, Pid: proc.Pid,
			MonitorPid: mon.Pid(), MonitorStart: pending.start,
			StartedAt: now,
		}
		if !netStatus.isZero() {
			rec.State.Net = &netStatus
		}
		rec.State.ExtraNets = extraNets
	})
	if err := s.save(e); err != nil {
		// A run the database does not know of would be killed as a
		// leftover at the next daemon start: better not to have it.
		e.update(func(rec *record) { rec.State = r.State })
		return err
	}
	log.Info("container started", "pid", proc.Pid)
	s.publish(r, "start", func(ev *api.Event) { ev.Pid = proc.Pid })
	s.watch(e, mon.Pid())
	s.startHealth(e, true, r.State.Health)
	return nil
}

// formatArgs quotes a command for messages: ["/bin/sh" "-c" "exit 3"].
func formatArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return "[" + strings.Join(q, " ") + "]"
}

// deleteRuntime removes the runtime's side of a run (killing what is
// left); a container the runtime does not know is fine.
func (s *Service) deleteRuntime(ctx context.Context, id string) {
	if err := s.rt.Delete(ctx, id, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		logctx.From(ctx).Warn("deleting the runtime state", "container", id, "error", err)
	}
}
