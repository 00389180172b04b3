package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"github.com/container-runtime/container-runtime/internal/quarantine"
	"github.com/container-runtime/container-runtime/runtime"
)

// stepIDPrefix starts the runtime id of every RUN step's container; it is
// how recovery tells the builder's containers from the container
// service's.
const stepIDPrefix = "build-"

// MountDir is where a builder whose store is rooted at root mounts the
// root file systems of its steps: <root>/builder, 0700 like every
// directory above a container's root (a host user must not reach a
// setuid file of a step through it), and on the daemon's disk rather than
// in /tmp, so that the next daemon finds what a crash left there.
func MountDir(root string) string { return filepath.Join(root, "builder") }

// mountDir makes the builder's mount directory and returns it.
func (b *Builder) mountDir() (string, error) {
	dir := MountDir(b.Store.Root())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the builder's mount directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("setting the mode of %s: %w", dir, err)
	}
	return dir, nil
}

// mountPoint makes a new empty directory, named after pattern as
// os.MkdirTemp does, in the builder's mount directory; what names it in
// the error.
func (b *Builder) mountPoint(pattern, what string) (string, error) {
	dir, err := b.mountDir()
	if err != nil {
		return "", err
	}
	p, err := os.MkdirTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("creating %s: %w", what, err)
	}
	return p, nil
}

// CleanLeftovers removes what builds left when their daemon was killed:
// the containers of RUN steps still running or recorded in rt (their
// processes killed through the runtime's record: pid and cgroup), then
// the mounts and directories under MountDir(root). It must run before
// the image store is opened, because a step that still runs keeps
// writing into the layer the store's recovery removes.
//
// It never fails the daemon's start because of a leftover: a container
// the runtime cannot delete is logged (its processes may still run), and
// a directory that cannot be removed is moved to quarantine.
func CleanLeftovers(ctx context.Context, rt *runtime.Runtime, root string) error {
	log := logctx.From(ctx)
	entries, err := os.ReadDir(rt.Root)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("listing the runtime's containers in %s: %w", rt.Root, err)
	}
	for _, de := range entries {
		id := de.Name()
		if !strings.HasPrefix(id, stepIDPrefix) {
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := rt.Delete(dctx, id, true)
		cancel()
		if err != nil {
			log.Warn("could not delete the container of a build step left by a crash; its processes may still run",
				"container", id, "state", filepath.Join(rt.Root, id), "error", err)
			continue
		}
		log.Info("deleted the container of a build step left by a crash (processes killed, cgroup and state removed)", "container", id)
	}

	dir := MountDir(root)
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	// The mount table names the path the kernel resolved.
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("cleaning the builder's mounts: %w", err)
	}
	if err := mounttree.Unmount(real); err != nil {
		return fmt.Errorf("cleaning the builder's mounts: %w", err)
	}
	mounts, err := os.ReadDir(real)
	if err != nil {
		return fmt.Errorf("cleaning the builder's mounts: %w", err)
	}
	for _, de := range mounts {
		p := filepath.Join(real, de.Name())
		rerr := mounttree.RemoveAll(p)
		if rerr == nil {
			log.Info("removed the mount point of a build step left by a crash", "path", p)
			continue
		}
		dst, qerr := quarantine.Move(root, p)
		if qerr != nil {
			return fmt.Errorf("cleaning the builder's mounts: %w; and then %w", rerr, qerr)
		}
		log.Warn("a build step's mount point could not be removed; moved to quarantine", "path", p, "quarantine", dst, "error", rerr)
	}
	return nil
}
