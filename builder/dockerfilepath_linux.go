package builder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// openDockerfile opens the Dockerfile at path for reading. It must lie in
// contextDir: the daemon reads it with its own privileges on behalf of a
// client, and a path outside the context (or one whose symlinks lead out
// of it) would let that client have any host file parsed, and parts of it
// quoted back in the error. The path is resolved inside the context
// (openat2 RESOLVE_IN_ROOT, as the container's own root would be), and
// must name a regular file: a FIFO or a device would block or feed the
// build forever.
func openDockerfile(contextDir, path string) (*os.File, error) {
	rel, err := filepath.Rel(contextDir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
		return nil, withKind(fmt.Errorf("the Dockerfile %s is outside the build context %s", path, contextDir), errdefs.ErrInvalidArgument)
	}
	root, err := unix.Open(contextDir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, notFoundOr(fmt.Errorf("opening the build context %s: %w", contextDir, err), err)
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, rel, &unix.OpenHow{
		// O_NONBLOCK: opening a FIFO must not wait for a writer.
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return nil, notFoundOr(fmt.Errorf("reading Dockerfile %s (symlinks resolved inside the context %s): %w", path, contextDir, err), err)
	}
	f := os.NewFile(uintptr(fd), path)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading Dockerfile %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, withKind(fmt.Errorf("the Dockerfile %s is not a regular file (%s)", path, fi.Mode().Type()), errdefs.ErrInvalidArgument)
	}
	return f, nil
}

// notFoundOr tags err ErrNotFound when cause is ENOENT or ENOTDIR, else
// ErrInvalidArgument.
func notFoundOr(err, cause error) error {
	if errors.Is(cause, unix.ENOENT) || errors.Is(cause, unix.ENOTDIR) {
		return withKind(err, errdefs.ErrNotFound)
	}
	return withKind(err, errdefs.ErrInvalidArgument)
}
