package container

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/container-runtime/container-runtime/internal/privdir"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// Remove deletes a container that does not run (with force, it is killed
// first): its record, root file system, logs, runtime state and
// monitor directory.
func (s *Service) Remove(ctx context.Context, id string, force bool) error {
	return s.remove(ctx, id, force, false)
}

// RemoveWithVolumes removes a container as Remove does, and its
// anonymous volumes that no other container uses (rm -v).
func (s *Service) RemoveWithVolumes(ctx context.Context, id string, force bool) error {
	return s.remove(ctx, id, force, true)
}

func (s *Service) remove(ctx context.Context, id string, force, volumes bool) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	if r := e.snapshot(); r.active() {
		if !force {
			return fmt.Errorf("container %s is %s: stop it before removing it, or remove it with force: %w", r.Name, r.State.Status, errdefs.ErrConflict)
		}
		if err := s.stop(ctx, e, 0); err != nil {
			return err
		}
		e.op.Lock()
		defer e.op.Unlock()
		if e.isRemoved() {
			// The exit we caused removed it (--rm): what was asked is
			// done, as Docker answers.
			return nil
		}
		return s.removeLocked(ctx, e, volumes, false)
	}
	e.op.Lock()
	defer e.op.Unlock()
	return s.removeLocked(ctx, e, volumes, false)
}

// removeLocked removes a stopped container: what its run left, its
// record, then (in the background, see removeTail) its directories; and
// its anonymous volumes when volumes is set or it was made with --rm (as
// Docker's --rm does). With ended, nothing of the container can be
// running (endedWithInit): its runtime state and cgroups go in the
// background too, after the record. The caller holds e.op.
func (s *Service) removeLocked(ctx context.Context, e *entry, volumes, ended bool) error {
	r := e.snapshot()
	if e.isRemoved() {
		return fmt.Errorf("no such container: %s: %w", r.Name, errdefs.ErrNotFound)
	}
	if r.active() {
		return fmt.Errorf("container %s was started again: %w", r.Name, errdefs.ErrConflict)
	}
	// Whatever a run left (normally nothing: the exit handler cleans up,
	// except after an --rm container's exit, which leaves it to us).
	cleanup := s.cleanupRun
	if ended {
		cleanup = s.detachRun
	}
	if err := cleanup(ctx, r); err != nil {
		return fmt.Errorf("removing container %s: %w", r.Name, err)
	}
	// The ACL entries that let this container's root reach its
	// directory go before its user namespace range is free for another.
	if start := r.usernsRange(); start != 0 && start != s.userns.Start {
		for _, d := range []string{s.root, filepath.Join(s.root, "containers")} {
			if err := privdir.RevokeUserSearch(d, int(start)); err != nil {
				return fmt.Errorf("removing container %s: %w", r.Name, err)
			}
		}
	}
	if err := s.db.delete(r.ID, r.Name); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.containers, r.ID)
	for id, x := range s.execs {
		if x.containerID == r.ID {
			delete(s.execs, id)
		}
	}
	s.mu.Unlock()
	s.releaseVolumes(ctx, r, volumes || r.Config.AutoRemove)
	// From here the container is gone for clients. What is left is
	// removed in the background, or, after a crash, at the next daemon
	// start (removeOrphans).
	trash := s.trashDirs(r.ID) // trash.go
	e.mu.Lock()
	e.removed = true
	e.notifyLocked()
	e.mu.Unlock()
	logctx.From(ctx).Info("container removed", "container", r.ID, "name", r.Name)
	s.removeTail(ctx, r, ended, trash)
	return nil
}

// removeTail finishes the removal of r off the client's path: the
// runtime's state and cgroups when the record went first (ended), the
// --cgroup-parent directories, the trashed directories. The "destroy"
// event comes last: when it is published, nothing of the container is
// left.
func (s *Service) removeTail(ctx context.Context, r *record, ended bool, trash []string) {
	ctx = context.WithoutCancel(ctx)
	s.goBg(func(context.Context) {
		if ended {
			if err := s.deleteRun(ctx, r.ID); err != nil {
				logctx.From(ctx).Warn("deleting the runtime state of a removed container", "container", r.ID, "error", err)
			}
		}
		removeCgroupParent(r.Config.CgroupParent) // cgroupparent_linux.go
		s.emptyTrash(ctx, r.ID, trash)
		s.publish(r, "destroy", nil)
	})
}

func (e *entry) isRemoved() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.removed
}

// Prune removes every container that does not run.
func (s *Service) Prune(ctx context.Context) (api.PruneReport, error) {
	rep := api.PruneReport{}
	for _, e := range s.entries() {
		if e.snapshot().active() {
			continue
		}
		size := dirSize(s.containerDir(e.id))
		e.op.Lock()
		err := s.removeLocked(ctx, e, false, false)
		e.op.Unlock()
		if err != nil {
			continue // started or removed meanwhile
		}
		rep.Deleted = append(rep.Deleted, e.id)
		rep.SpaceReclaimed += size
	}
	return rep, nil
}
