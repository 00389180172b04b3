package cgroup

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// tag adds the errdefs kind that err's errno implies: a missing cgroup
// file or directory is ErrNotFound, EBUSY (processes still inside, limit
// below usage) is ErrConflict, a value the kernel refuses is
// ErrInvalidArgument. Other errors are returned as they are.
func tag(err error) error {
	var kind error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrNotExist):
		kind = errdefs.ErrNotFound
	case errors.Is(err, unix.EBUSY):
		kind = errdefs.ErrConflict
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ERANGE):
		kind = errdefs.ErrInvalidArgument
	default:
		return err
	}
	return errdefs.WithKind(err, kind)
}
