package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/monitor"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"github.com/container-runtime/container-runtime/internal/quarantine"
)

// isContainerID matches the ids this service gives (the runtime's state
// directory also holds the builder's "build-..." containers, which the
// daemon cleans with build.CleanLeftovers before the image store opens).
var isContainerID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// recover loads the records and brings each container's run in line with
// what happened while no daemon watched:
//
//   - running or paused, monitor alive: watched again;
//   - running or paused, monitor gone: the exit recorded in exit.json (or
//     exit code 255 when there is none) is recorded, the run cleaned up
//     and the restart policy applied;
//   - restarting: restarted after the policy's delay;
//   - exited: restarted when the policy says so at daemon start (always,
//     even if the user stopped it; unless-stopped unless the user did);
//   - created or exited: nothing runs; a mount left by a crash goes; a
//     created --rm container whose spec a power cut lost is removed.
//
// Then leftovers no record claims are removed: container and monitor
// directories, and runtime state of containers with our kind of id. When
// the database is new but container directories exist (containers.db was
// moved aside), those containers are stopped and their directories moved
// to quarantine, not deleted.
func (s *Service) recover(ctx context.Context) error {
	log := logctx.From(ctx)
	recs, err := s.db.all()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, r := range recs {
		known[r.ID] = true
		s.containers[r.ID] = newEntry(r)
		s.useVolumes(ctx, r)
	}
	s.reconcileNetworks(ctx, recs)
	for _, r := range recs {
		e := s.containers[r.ID]
		switch r.State.Status {
		case StateRunning, StatePaused:
			if processAlive(r.State.MonitorPid, r.State.MonitorStart) {
				log.Info("re-adopting running container", "container", r.ID, "pid", r.State.Pid)
				s.watch(e, r.State.MonitorPid)
				s.startHealth(e, false, nil)
				continue
			}
			ex, err := monitor.ReadExit(s.monitorDir(r.ID))
			if err != nil && !errors.Is(err, errdefs.ErrNotFound) {
				log.Warn("reading the exit of a container that ended while the daemon was down", "container", r.ID, "error", err)
			}
			if ex == nil && err == nil {
				err = fmt.Errorf("the monitor ended without recording it")
			}
			s.handleExit(s.bg, e, r.State.MonitorPid, ex, err, nil)
		case StateRestarting:
			if r.StoppedByUser {
				e.update(func(r *record) { r.State.Status = StateExited })
				s.save(e)
				continue
			}
			s.scheduleRestart(e, backoffMin)
		default:
			if s.removeIfSpecLost(ctx, e) {
				continue
			}
			if err := s.cleanupRun(ctx, r); err != nil {
				log.Warn("cleaning up a stopped container", "container", r.ID, "error", err)
			}
			policy, _ := parseRestartPolicy(r.Config.RestartPolicy)
			if r.State.Status == StateExited && policy.restartsAtDaemonStart(r.StoppedByUser) {
				log.Info("starting a stopped container at daemon start, as its restart policy says",
					"container", r.ID, "policy", policy.name)
				e.update(func(r *record) {
					r.State.Status = StateRestarting
					r.StoppedByUser = false
				})
				s.save(e)
				s.scheduleRestart(e, 0)
			}
		}
	}
	s.removeOrphans(ctx, known)
	return nil
}

// removeOrphans removes what containers without a record left: a crash
// between the steps of a create or a remove, or before the directories
// of a removed container were emptied.
func (s *Service) removeOrphans(ctx context.Context, known map[string]bool) {
	log := logctx.From(ctx)
	if s.db.fresh {
		s.quarantineUnrecorded(ctx)
	}
	s.removeTrash(ctx, known) // trash.go
	for _, dir := range []string{filepath.Join(s.root, "containers"), filepath.Join(s.execRoot, "containers")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, de := range entries {
			if known[de.Name()] || !isContainerID.MatchString(de.Name()) {
				continue
			}
			log.Info("removing the leftovers of an unrecorded container", "dir", filepath.Join(dir, de.Name()))
			if err := mounttree.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				log.Warn("removing leftovers", "error", err)
			}
		}
	}
	// The runtime's directory, not its List: a create that crashed before
	// writing its state is not listed, and Delete removes it too.
	entries, err := os.ReadDir(s.rt.Root)
	if err != nil {
		log.Warn("listing the runtime's containers", "error", err)
		return
	}
	for _, de := range entries {
		if known[de.Name()] || !isContainerID.MatchString(de.Name()) {
			continue
		}
		log.Info("deleting the runtime state of an unrecorded container", "container", de.Name())
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		s.deleteRuntime(dctx, de.Name())
		cancel()
	}
}

// quarantineUnrecorded handles a new containers.db on a root that holds
// container directories: the records are gone (the operator moved a
// damaged database aside), so the containers are stopped through the
// runtime's state and their directories, with their logs and writable
// layers, moved to quarantine for the operator.
func (s *Service) quarantineUnrecorded(ctx context.Context) {
	log := logctx.From(ctx)
	dir := filepath.Join(s.root, "containers")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range entries {
		if !isContainerID.MatchString(de.Name()) {
			continue
		}
		id := de.Name()
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		s.deleteRuntime(dctx, id)
		cancel()
		p := filepath.Join(dir, id)
		if err := mounttree.Unmount(p); err != nil {
			log.Warn("unmounting the root of a container without a record", "container", id, "error", err)
		}
		dst, err := quarantine.Move(s.root, p)
		if err != nil {
			log.Warn("quarantining a container without a record", "container", id, "error", err)
			continue
		}
		log.Warn("containers.db is new but this container's directory exists: its record is lost; "+
			"the container was stopped and its directory moved to quarantine", "container", id, "quarantine", dst)
	}
}
