package runtime

import (
	"context"
	"fmt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Run creates and starts the container, waits for it and deletes it. It
// handles no signals and relays no terminal: a caller that wants those
// (the OCI command line) creates and starts the container itself. When
// ctx is cancelled, the container is killed.
func (r *Runtime) Run(ctx context.Context, id string, opts CreateOptions) (ExitStatus, error) {
	spec := opts.Spec
	if spec == nil {
		s, err := LoadBundle(opts.Bundle)
		if err != nil {
			return ExitStatus{}, err
		}
		spec, opts.Spec = s, s
	}
	if spec.Process != nil && spec.Process.Terminal && opts.ConsoleSocket == "" {
		return ExitStatus{}, fmt.Errorf("process.terminal is set: a console socket is required: %w", errdefs.ErrInvalidArgument)
	}
	p, err := r.Create(ctx, id, opts)
	if err != nil {
		return ExitStatus{}, err
	}
	cleanup := context.WithoutCancel(ctx)
	if err := r.StartCreated(ctx, p); err != nil {
		r.Delete(cleanup, id, true)
		killAndReap(p.Pid)
		return ExitStatus{}, err
	}
	stop := context.AfterFunc(ctx, func() { r.Kill(cleanup, id, 9, true) })
	st, err := p.Wait()
	stop()
	if derr := r.Delete(cleanup, id, true); err == nil && derr != nil {
		err = derr
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return st, err
}
