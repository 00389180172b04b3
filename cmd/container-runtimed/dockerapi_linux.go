package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon/docker"
	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// buildContextsDir holds the build contexts POST /build unpacks, below
// the data root (private, 0700), one directory per build, removed after it.
const buildContextsDir = "build-contexts"

// newDockerAPI wires the Docker Engine API to the same services as our own
// API; events come from the daemon's history (events). What a previous
// daemon left of build contexts is removed first.
func newDockerAPI(cfg config, eng *engine, events func(context.Context) ([]api.Event, <-chan api.Event)) (*docker.Handler, error) {
	contexts := filepath.Join(cfg.root, buildContextsDir)
	if err := os.RemoveAll(contexts); err != nil {
		return nil, fmt.Errorf("removing old build contexts: %w", err)
	}
	if err := os.MkdirAll(contexts, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", contexts, err)
	}
	return docker.New(docker.Config{
		Containers:   eng.containers,
		Images:       eng.images,
		Networks:     eng.networks,
		Distribution: eng.dist,
		Volumes:      eng.volumes,
		Events:       events,
		Root:         cfg.root,
		CgroupLayout: cgroup.Mode().String(),
		UnpackContext: func(ctx context.Context, r io.Reader) (string, func() error, error) {
			return unpackContext(ctx, contexts, r)
		},
	}), nil
}

// unpackContext extracts a build context (a tar, maybe gzip or bzip2
// compressed) into a new directory below parent. Names are resolved
// inside it (archive.Extract), so the tar cannot write elsewhere.
func unpackContext(ctx context.Context, parent string, r io.Reader) (string, func() error, error) {
	dir, err := os.MkdirTemp(parent, "ctx-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a build context directory: %w", err)
	}
	remove := func() error { return os.RemoveAll(dir) }
	rc, err := archive.Decompress(r)
	if err == nil {
		err = archive.Extract(ctx, rc, dir, archive.ExtractOptions{NoOwnership: true})
		rc.Close()
	}
	if err != nil {
		remove()
		return "", nil, fmt.Errorf("unpacking the build context: %w", err)
	}
	return dir, remove, nil
}
