package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/internal/privdir"
)

// privateDepth is how deep below the data root and the exec root the
// start-up repair looks: deep enough for every directory the daemon makes
// above content (containers/<id>, layers/<id>, tmp/<staging>,
// network/<kind>, runtime/<id>), never into a container's upper directory
// or a layer's diff/, whose modes are the content's own.
const privateDepth = 2

// makePrivate repairs an install made by an older version, which left the
// data root, containers/ and containers/<id>/ searchable by every host user
// (0711) and so let any of them run a container's setuid files as root
// (see package privdir): the data root and the directories below it and
// below the exec root lose every permission for others and read/write for
// their group; each change is logged. The exec root itself, and the
// directory holding the socket with its ancestors, keep their modes: the
// socket's group must reach the socket.
func makePrivate(ctx context.Context, cfg config) error {
	paths := []string{cfg.root}
	for _, dir := range []string{cfg.root, cfg.execRoot} {
		below, err := privdir.Below(dir, privateDepth)
		if err != nil {
			return fmt.Errorf("making the daemon's directories private: %w", err)
		}
		paths = append(paths, below...)
	}
	sockDir := filepath.Clean(filepath.Dir(cfg.socket))
	kept := paths[:0]
	for _, p := range paths {
		if !holds(p, sockDir) {
			kept = append(kept, p)
		}
	}
	if err := privdir.Tighten(ctx, kept...); err != nil {
		return fmt.Errorf("making the daemon's directories private: %w", err)
	}
	return nil
}

// holds reports whether dir is p or one of p's ancestors.
func holds(dir, p string) bool {
	dir = filepath.Clean(dir)
	return dir == p || strings.HasPrefix(p, dir+string(filepath.Separator)) || dir == "/"
}
