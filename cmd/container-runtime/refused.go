package main

import (
	"errors"

	"github.com/container-runtime/container-runtime/errdefs"
)

// exitDaemonError is Docker's exit code for a daemon's refusal outside
// run, create and exec ("Error response from daemon: ...").
const exitDaemonError = 1

// refused ends the CLI with exit code 1 when the daemon refused the
// request (bad input, no such container, a conflict), as Docker's CLI
// does; other failures keep the engine's 125.
func refused(err error) error {
	if err == nil {
		return nil
	}
	for _, kind := range []error{errdefs.ErrInvalidArgument, errdefs.ErrNotFound, errdefs.ErrConflict, errdefs.ErrAlreadyExists} {
		if errors.Is(err, kind) {
			return &statusError{code: exitDaemonError, err: err}
		}
	}
	return err
}
