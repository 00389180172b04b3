package cgroup

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// memoryBusy starts the library's error for a v1 memory limit below what
// the cgroup uses and cannot reclaim: it reports the kernel's EBUSY with
// the usage, but without the errno.
const memoryBusy = "unable to set memory limit to "

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
	case errors.Is(err, unix.EBUSY), strings.Contains(err.Error(), memoryBusy):
		kind = errdefs.ErrConflict
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ERANGE):
		kind = errdefs.ErrInvalidArgument
	default:
		return err
	}
	return errdefs.WithKind(err, kind)
}
