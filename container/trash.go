package container

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/mounttree"
)

// trashPrefix begins the name that a removed container's directory takes,
// next to the live ones, until it is emptied: <root>/containers/.trash-<id>
// and <exec-root>/containers/.trash-<id>. The leading dot keeps it apart
// from container ids everywhere the directories are listed.
const trashPrefix = ".trash-"

// trashDirs takes the directories of the removed container id (its
// directory in the data root, with the writable layer and the log, and
// its monitor's directory) out of their places, for emptyTrash to
// remove later. A rename is one system call; emptying even an unused
// writable layer is some forty, which a `run --rm` client would
// otherwise wait for. A directory that cannot be renamed is returned
// under its own name.
//
// A trashed directory is made 0700: with --userns private it was 0710
// for the container's range, which is free for another container once
// the record is gone.
func (s *Service) trashDirs(id string) []string {
	var trash []string
	for _, dir := range []string{s.containerDir(id), s.monitorDir(id)} {
		t := filepath.Join(filepath.Dir(dir), trashPrefix+id)
		err := os.Rename(dir, t)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			t = dir
		}
		os.Chmod(t, 0o700)
		trash = append(trash, t)
	}
	return trash
}

// emptyTrash removes the directories trashDirs returned for id.
func (s *Service) emptyTrash(ctx context.Context, id string, trash []string) {
	for _, t := range trash {
		// Nothing should be mounted below by now (the run's cleanup
		// unmounted the root); mounttree makes sure.
		if err := mounttree.RemoveAll(t); err != nil {
			logctx.From(ctx).Warn("removing the directory of a removed container", "container", id, "dir", t, "error", err)
		}
	}
}

// removeTrash removes the trash that a daemon which stopped (or crashed)
// before emptying it left. The trash of a container in known (it has a
// record) is its removal's, which the recovery itself started: that
// removal empties it.
func (s *Service) removeTrash(ctx context.Context, known map[string]bool) {
	for _, dir := range []string{filepath.Join(s.root, "containers"), filepath.Join(s.execRoot, "containers")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, de := range entries {
			id, ok := strings.CutPrefix(de.Name(), trashPrefix)
			if !ok || known[id] {
				continue
			}
			if err := mounttree.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				logctx.From(ctx).Warn("removing the directory of a removed container", "dir", filepath.Join(dir, de.Name()), "error", err)
			}
		}
	}
}
