package container

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/container-runtime/container-runtime/internal/mounttree"
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
		return s.removeVolumesLocked(ctx, e, volumes)
	}
	e.op.Lock()
	defer e.op.Unlock()
	return s.removeVolumesLocked(ctx, e, volumes)
}

// removeLocked removes a stopped container, and its anonymous volumes
// when it was made with --rm (as Docker's --rm does). The caller holds
// e.op.
func (s *Service) removeLocked(ctx context.Context, e *entry) error {
	return s.removeVolumesLocked(ctx, e, false)
}

// removeVolumesLocked is removeLocked, removing the anonymous volumes
// too when volumes is set.
func (s *Service) removeVolumesLocked(ctx context.Context, e *entry, volumes bool) error {
	r := e.snapshot()
	if e.isRemoved() {
		return fmt.Errorf("no such container: %s: %w", r.Name, errdefs.ErrNotFound)
	}
	if r.active() {
		return fmt.Errorf("container %s was started again: %w", r.Name, errdefs.ErrConflict)
	}
	// Whatever a run left (normally nothing: the exit handler cleans up).
	if err := s.cleanupRun(ctx, r); err != nil {
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
	// From here the container is gone for clients; a failure below leaves
	// a directory that the next daemon start removes.
	if err := mounttree.RemoveAll(s.containerDir(r.ID)); err != nil {
		logctx.From(ctx).Warn("removing container directory", "container", r.ID, "error", err)
	}
	os.RemoveAll(s.monitorDir(r.ID))
	removeCgroupParent(r.Config.CgroupParent) // cgroupparent_linux.go
	e.mu.Lock()
	e.removed = true
	e.notifyLocked()
	e.mu.Unlock()
	logctx.From(ctx).Info("container removed", "container", r.ID, "name", r.Name)
	s.publish(r, "destroy", nil)
	return nil
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
		err := s.removeLocked(ctx, e)
		e.op.Unlock()
		if err != nil {
			continue // started or removed meanwhile
		}
		rep.Deleted = append(rep.Deleted, e.id)
		rep.SpaceReclaimed += size
	}
	return rep, nil
}
