package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/builder"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/runtime"
)

// ours is our builder on a fresh store holding the bootstrapped base.
type ours struct {
	store   *image.Store
	builder *builder.Builder
}

// newOurs opens a store under work, bootstraps base into it from the
// debootstrap cache in cacheDir (seconds once the cache holds a root
// filesystem, about a minute the first time) and makes a builder running
// RUN steps as real containers.
func newOurs(ctx context.Context, work, cacheDir string) (*ours, error) {
	s, err := image.Open(ctx, filepath.Join(work, "ours", "store"))
	if err != nil {
		return nil, err
	}
	rt, err := runtime.New(filepath.Join(work, "ours", "runtime"))
	if err != nil {
		s.Close()
		return nil, err
	}
	if _, err := image.Bootstrap(ctx, s, image.BootstrapOptions{CacheDir: cacheDir}); err != nil {
		s.Close()
		return nil, err
	}
	return &ours{store: s, builder: &builder.Builder{Store: s, Runner: builder.RuntimeRunner{Runtime: rt}}}, nil
}

func (o *ours) name() string { return oursLabel }

func (o *ours) reused(out string) int { return strings.Count(out, " ---> CACHED\n") }

func (o *ours) steps() int { return 4 }

// build runs one build in this process. Its CPU time is this process's
// and its reaped children's (the RUN containers) during the build.
func (o *ours) build(ctx context.Context, ctxDir string, cold bool) (measure.Sample, string, error) {
	var out bytes.Buffer
	opts := builder.Options{ContextDir: ctxDir, Tags: []string{"bench"}, NoCache: cold, Progress: &out}
	cpu := measure.OwnCPU()
	start := time.Now()
	_, err := o.builder.Build(ctx, opts)
	s := measure.Sample{Wall: time.Since(start), CPU: measure.OwnCPU() - cpu}
	if err != nil {
		return s, out.String(), fmt.Errorf("%w\n%s", err, out.String())
	}
	return s, out.String(), nil
}

// exportBase writes base's root filesystem to work/base/base.tar, from
// which the peers import the same base.
func (o *ours) exportBase(ctx context.Context, work string) (string, error) {
	dir := filepath.Join(work, "base")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "base.tar")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := o.store.Export(ctx, "base", f); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

func (o *ours) close() { o.store.Close() }
