package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// buildah is `buildah bud --layers` with its storage under the work
// directory, RUN steps on the host network like ours.
type buildah struct {
	path    string
	global  []string // --root, --runroot, --storage-driver
	runtime string
	// hostPaths are buildahHostPaths and whether they existed before.
	hostPaths map[string]bool
}

// buildahHostPaths are what buildah makes outside its storage: its blob
// info cache and its network configuration directory.
func buildahHostPaths() []string {
	return []string{"/var/lib/containers", "/var/lib/containers/cache",
		"/var/lib/containers/cache/blob-info-cache-v1.boltdb", "/run/containers", "/run/containers/networks"}
}

// newBuildah imports baseTar as base into a new buildah storage under work.
// It returns nil and the reason when buildah or the runtime is missing or
// the import fails.
func newBuildah(ctx context.Context, work, baseTar, runtime string) (*buildah, string) {
	path, err := exec.LookPath("buildah")
	if err != nil {
		return nil, "buildah not installed (apt-get install buildah)"
	}
	rt, err := exec.LookPath(runtime)
	if err != nil {
		return nil, fmt.Sprintf("its runtime %s is not installed", runtime)
	}
	dir := filepath.Join(work, "buildah")
	b := &buildah{
		path: path, runtime: rt,
		global:    buildahGlobal(dir),
		hostPaths: host.Existed(buildahHostPaths()...),
	}
	// The same root filesystem and config as our base, as docker import
	// makes it: ADD of a local tar extracts it.
	baseDir := filepath.Dir(baseTar)
	df := fmt.Sprintf("FROM scratch\nADD %s /\nENV PATH=%s\nCMD [\"/bin/bash\"]\n", filepath.Base(baseTar), image.DefaultPath)
	if err := os.WriteFile(filepath.Join(baseDir, "Dockerfile.buildah"), []byte(df), 0o644); err != nil {
		return nil, err.Error()
	}
	if out, err := b.run(ctx, "bud", "--layers", "--tag", "base", "--file", filepath.Join(baseDir, "Dockerfile.buildah"), baseDir); err != nil {
		b.close()
		return nil, fmt.Sprintf("importing the base failed: %v: %s", err, out)
	}
	return b, ""
}

func (b *buildah) name() string { return "buildah bud --layers" }

func (b *buildah) reused(out string) int { return strings.Count(out, "--> Using cache ") }

func (b *buildah) steps() int { return 4 }

// build runs buildah; its CPU time is that of buildah and the runtime
// processes it waited for.
func (b *buildah) build(ctx context.Context, ctxDir string, cold bool) (measure.Sample, string, error) {
	args := append(append([]string(nil), b.global...), "bud", "--layers", "--network", "host", "--runtime", b.runtime, "--tag", "bench")
	if cold {
		args = append(args, "--no-cache")
	}
	args = append(args, ctxDir)
	cmd := exec.CommandContext(ctx, b.path, args...)
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

// buildahGlobal are the global flags of a buildah with its storage in dir.
func buildahGlobal(dir string) []string {
	return []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"), "--storage-driver", "overlay"}
}

// run runs a buildah command on our storage.
func (b *buildah) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.path, append(append([]string(nil), b.global...), args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// close removes buildah's working containers and images (which unmounts
// its storage) and the host paths it made.
func (b *buildah) close() {
	b.run(context.Background(), "rm", "--all")
	b.run(context.Background(), "rmi", "--all", "--force")
	host.RemoveNew(b.hostPaths)
}
