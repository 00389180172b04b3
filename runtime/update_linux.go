package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// Update changes the cgroup limits of a created, running or paused
// container, as runc's `update` does, and records them in the container's
// state so that a later Update starts from them.
//
// update follows cgroup.Merge's rules: nil and zero fields keep their
// current values, device rules are not updatable. The merged resources are
// validated as a whole before anything is written (memory above the
// current memory+swap total is refused, naming memory.swap). They are then
// all written again, which lets the cgroup library order the memory and
// swap writes of cgroup v1 and convert swap for v2 knowing both values. If
// a write fails, the previous limits are written back, as runc does.
//
// Concurrent Updates of one container are serialized by a lock on its
// state directory, so that neither loses the other's change.
func (r *Runtime) Update(ctx context.Context, id string, update *specs.LinuxResources) error {
	if err := ValidateID(id); err != nil {
		return err
	}
	unlock, err := r.lockDir(id)
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := r.load(id)
	if err != nil {
		return err
	}
	switch st := r.status(rec); st {
	case StatusCreated, StatusRunning, StatusPaused:
	default:
		return fmt.Errorf("updating %q: the container is %s; only a created, running or paused container can be updated: %w",
			id, st, errdefs.ErrConflict)
	}
	cg, err := rec.cgroupOf()
	if err != nil {
		return fmt.Errorf("updating %q: %w", id, err)
	}
	if cg == nil || rec.Config == nil {
		return fmt.Errorf("updating %q: the container has no cgroup: %w", id, errdefs.ErrConflict)
	}
	if rec.Config.Linux == nil {
		rec.Config.Linux = &specs.Linux{}
	}
	old := rec.Config.Linux.Resources
	merged := cgroup.Merge(old, update)
	if err := cgroup.Validate(merged); err != nil {
		return fmt.Errorf("updating %q: %w", id, err)
	}
	if err := cg.Set(withoutDevices(merged)); err != nil {
		return fmt.Errorf("updating %q: %w", id, errors.Join(err, restoreLimits(cg, old)))
	}
	rec.Config.Linux.Resources = merged
	if err := r.save(rec); err != nil {
		return fmt.Errorf("updating %q: %w", id, errors.Join(err, restoreLimits(cg, old)))
	}
	return nil
}

// withoutDevices is a copy of r without device rules: Set leaves the
// cgroup's device rules alone when given none.
func withoutDevices(r *specs.LinuxResources) *specs.LinuxResources {
	c := cgroup.Merge(r, nil)
	c.Devices = nil
	return c
}

// restoreLimits writes a container's previous limits back after a failed
// update.
func restoreLimits(cg cgroup.Manager, old *specs.LinuxResources) error {
	if err := cg.Set(withoutDevices(old)); err != nil {
		return fmt.Errorf("restoring the previous limits: %w", err)
	}
	return nil
}

// lockDir takes an exclusive flock on container id's state directory and
// returns its release.
func (r *Runtime) lockDir(id string) (func(), error) {
	fd, err := unix.Open(r.dir(id), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the state directory of %q: %w", id, err)
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("locking the state directory of %q: %w", id, err)
	}
	return func() { unix.Close(fd) }, nil
}
