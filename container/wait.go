package container

import (
	"context"
	"fmt"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// Wait blocks until condition holds and returns the container's last
// exit status:
//
//   - "not-running" (or ""): the container has no processes (at once for a
//     created or exited container; a container between restarts counts
//     as running);
//   - "next-exit": the container exits after this call;
//   - "removed": the container is removed.
func (s *Service) Wait(ctx context.Context, id string, condition string) (api.WaitResult, error) {
	e, err := s.lookup(id)
	if err != nil {
		return api.WaitResult{}, err
	}
	_, exits0, _, _ := e.observe()
	var cond func(r *record, exits int, removed bool) bool
	switch condition {
	case "", "not-running":
		cond = func(r *record, _ int, removed bool) bool { return removed || !r.active() }
	case "next-exit":
		cond = func(r *record, exits int, removed bool) bool { return removed || exits > exits0 }
	case "removed":
		cond = func(_ *record, _ int, removed bool) bool { return removed }
	default:
		return api.WaitResult{}, fmt.Errorf("wait condition %q: want not-running, next-exit or removed: %w", condition, errdefs.ErrInvalidArgument)
	}
	r, err := e.waitFor(ctx, cond)
	if err != nil {
		return api.WaitResult{}, err
	}
	return api.WaitResult{StatusCode: r.State.ExitCode, OOMKilled: r.State.OOMKilled, Error: r.State.Error}, nil
}
