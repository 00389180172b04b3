package container

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/monitor"
)

// defaultMonitorKeep bounds how long a monitor that Create started waits
// for the container's first start (keepMonitor).
const defaultMonitorKeep = 2 * time.Second

// pendingMonitor is a container's monitor being started in the
// background (startMonitor).
type pendingMonitor struct {
	dir  string
	done chan struct{} // closed when the fields below are set
	mon  *monitor.Monitor
	// start is the monitor's start time in /proc (processAlive).
	start uint64
	err   error
	// claimed is closed when a start or a discard took it from its
	// entry (keepMonitor).
	claimed chan struct{}
}

// startMonitor starts the monitor of r's next run in the background:
// it clears the monitor directory and starts the monitor (a fork and
// exec of our binary: 1.5 ms here until it is ready, most of it in the
// child) while the caller goes on (a create writes the container's files
// and record, a later start mounts the root file system).
func (s *Service) startMonitor(ctx context.Context, r *record) *pendingMonitor {
	p := &pendingMonitor{dir: s.monitorDir(r.ID), done: make(chan struct{}), claimed: make(chan struct{})}
	logPath, logMaxSize, logMaxFiles := s.runLog(r)
	cfg := monitor.Config{
		Dir: p.dir, LogPath: logPath,
		LogMaxSize: logMaxSize, LogMaxFiles: logMaxFiles,
		Tty: r.Config.Tty, Stdin: r.Config.OpenStdin,
	}
	go func() {
		defer close(p.done)
		if err := os.RemoveAll(p.dir); err != nil {
			p.err = fmt.Errorf("clearing the monitor directory: %w", err)
			return
		}
		if err := os.MkdirAll(p.dir, 0o700); err != nil {
			p.err = fmt.Errorf("creating the monitor directory: %w", err)
			return
		}
		p.mon, p.err = monitor.Start(ctx, cfg)
		if p.err == nil {
			p.start, _ = procStartTime(p.mon.Pid())
		}
	}()
	return p
}

// wait returns the monitor once it is ready.
func (p *pendingMonitor) wait() (*monitor.Monitor, error) {
	<-p.done
	return p.mon, p.err
}

// discard undoes the start after a failure: the monitor, which then has
// no init (or the runtime's delete killed it), exits once its control
// connection is closed; it is waited for, so that it no longer writes
// the log when the next start begins.
func (p *pendingMonitor) discard(ctx context.Context) {
	mon, err := p.wait()
	if err != nil {
		return
	}
	mon.Close()
	wctx, cancel := context.WithTimeout(ctx, attachWait)
	defer cancel()
	monitor.WaitExit(wctx, p.dir, mon.Pid())
}

// startMonitorAhead starts the monitor of the first run of a container
// Create is making, for the start that `run` sends right after: the
// monitor gets ready while the create writes the container's files and
// record and the client sends its next requests (about 2 ms here),
// rather than while the start waits. The create hands it to the
// container's entry (keepMonitor), or discards it if it fails.
func (s *Service) startMonitorAhead(id string, req api.ContainerCreate) *pendingMonitor {
	return s.startMonitor(s.bg, &record{ID: id, Config: req})
}

// keepMonitor gives p, started ahead by Create, to e, a new entry not yet
// shared, for its first start. A monitor without a start within
// s.monitorKeep, or whose container is removed, is discarded, as it is
// at Close (and the spec decoded for that start dropped): until then a
// created container has a monitor process, which has created its log
// file and sockets.
func (s *Service) keepMonitor(e *entry, p *pendingMonitor) {
	e.monitor = p
	s.goBg(func(ctx context.Context) {
		unused, removed := unusedMonitor(ctx, e, p, s.monitorKeep)
		if !unused || !e.claimMonitor(p) {
			return
		}
		// Nor is the spec decoded for that start kept (prepareSpec).
		e.mu.Lock()
		e.decoded = nil
		e.mu.Unlock()
		p.discard(ctx)
		if removed {
			// The removal may have come before the monitor made its
			// directory.
			os.RemoveAll(p.dir)
		}
	})
}

// unusedMonitor waits until a start claims p (unused false), or e is
// removed, keep passes or ctx ends (unused; removed tells the first).
func unusedMonitor(ctx context.Context, e *entry, p *pendingMonitor, keep time.Duration) (unused, removed bool) {
	timer := time.NewTimer(keep)
	defer timer.Stop()
	for {
		e.mu.Lock()
		removed, changed := e.removed, e.changed
		e.mu.Unlock()
		if removed {
			return true, true
		}
		select {
		case <-p.claimed:
			return false, false
		case <-changed:
		case <-timer.C:
			return true, false
		case <-ctx.Done():
			return true, false
		}
	}
}

// claimMonitor takes p from e; it reports false when p is not e's (a
// start took it already).
func (e *entry) claimMonitor(p *pendingMonitor) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.monitor != p {
		return false
	}
	e.monitor = nil
	close(p.claimed)
	return true
}

// takeMonitor takes the monitor started ahead for e's next start, if
// any.
func (e *entry) takeMonitor() *pendingMonitor {
	e.mu.Lock()
	p := e.monitor
	e.mu.Unlock()
	if p == nil || !e.claimMonitor(p) {
		return nil // none, or the keeper discarded it meanwhile
	}
	return p
}
