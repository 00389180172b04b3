package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/builder"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/runtime"
)

// oursProcess is our builder started afresh for every build, as a command
// line builder would be: this program re-executed with -once, opening its
// own store (with its own base) each time. It pays what the peers' clients
// pay and the daemon will not: process start, opening the store, hashing
// the context with no remembered file hashes.
type oursProcess struct {
	self                 string
	storeDir, runtimeDir string
}

// newOursProcess makes the store of the one-shot builds, with base
// bootstrapped from the debootstrap cache.
func newOursProcess(ctx context.Context, work, cacheDir string) (*oursProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	o := &oursProcess{self: self, storeDir: filepath.Join(work, "ours-process", "store"),
		runtimeDir: filepath.Join(work, "ours-process", "runtime")}
	s, err := image.Open(ctx, o.storeDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := image.Bootstrap(ctx, s, image.BootstrapOptions{CacheDir: cacheDir}); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *oursProcess) name() string { return "ours (one process per build)" }

func (o *oursProcess) reused(out string) int { return strings.Count(out, " ---> CACHED\n") }

func (o *oursProcess) steps() int { return 4 }

// build runs `buildcompare -once`; its CPU time is that process's and its
// reaped children's.
func (o *oursProcess) build(ctx context.Context, ctxDir string, cold bool) (measure.Sample, string, error) {
	cmd := exec.CommandContext(ctx, o.self, "-once", o.storeDir, o.runtimeDir, ctxDir, fmt.Sprint(cold))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	s := measure.Sample{Wall: time.Since(start), CPU: measure.ProcessCPU(cmd.ProcessState)}
	if err != nil {
		return s, out.String(), fmt.Errorf("%v: %s", err, out.String())
	}
	return s, out.String(), nil
}

// buildOnce is the -once mode: one build of ctxDir with the store in
// storeDir, progress to w.
func buildOnce(ctx context.Context, w io.Writer, storeDir, runtimeDir, ctxDir string, cold bool) error {
	s, err := image.Open(ctx, storeDir)
	if err != nil {
		return err
	}
	defer s.Close()
	rt, err := runtime.New(runtimeDir)
	if err != nil {
		return err
	}
	b := &builder.Builder{Store: s, Runner: builder.RuntimeRunner{Runtime: rt}}
	_, err = b.Build(ctx, builder.Options{ContextDir: ctxDir, Tags: []string{"bench"}, NoCache: cold, Progress: w})
	return err
}
