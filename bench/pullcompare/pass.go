package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
)

// oursName is how our distribution service appears in the tables.
const oursName = "container-runtime (in-process)"

// contender is one side of a comparison: run does one timed operation
// (its own untimed set-up and clean-up included, the sample covering only
// the operation).
type contender struct {
	name string
	run  func(ctx context.Context) (measure.Sample, error)
}

// hostArch is the architecture images are made for.
func hostArch() string { return runtime.GOARCH }

// pullPass times pulls of ref from nothing.
func pullPass(ctx context.Context, cfg config, work, ref string) error {
	cs := []contender{{oursName, func(ctx context.Context) (measure.Sample, error) {
		dir, err := os.MkdirTemp(work, "store-")
		if err != nil {
			return measure.Sample{}, err
		}
		defer os.RemoveAll(dir)
		s, err := image.Open(ctx, dir)
		if err != nil {
			return measure.Sample{}, err
		}
		defer s.Close()
		d := distribution.New(s, distribution.Config{})
		start, cpu := time.Now(), measure.OwnCPU()
		if _, err := d.Pull(ctx, ref, distribution.PullOptions{}); err != nil {
			return measure.Sample{}, err
		}
		return measure.Sample{Wall: time.Since(start), CPU: measure.OwnCPU() - cpu}, nil
	}}}
	var skipped [][2]string
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		cs = append(cs, contender{"skopeo copy docker:// dir:", func(ctx context.Context) (measure.Sample, error) {
			dir := filepath.Join(work, "skopeo-pull")
			defer os.RemoveAll(dir)
			return timeCommand(ctx, skopeo, "copy", "--quiet", "--src-tls-verify=false", "docker://"+ref, "dir:"+dir)
		}})
	} else {
		skipped = append(skipped, [2]string{"skopeo", "not installed (apt-get install skopeo)"})
	}
	title := fmt.Sprintf("== Pull from 127.0.0.1 into an empty store (ours: verify, decompress, apply the layers) or directory (skopeo: compressed blobs), %d runs each after %d warm-up, alternating",
		cfg.n, cfg.warmup)
	return compare(ctx, title, cfg, cs, skipped)
}

// pushPass times pushes of the image ref names (pulled first) to an empty
// registry.
func pushPass(ctx context.Context, cfg config, work, ref string) error {
	dir := filepath.Join(work, "source-store")
	s, err := image.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := distribution.New(s, distribution.Config{}).Pull(ctx, ref, distribution.PullOptions{}); err != nil {
		return fmt.Errorf("pulling the image to push: %w", err)
	}
	// A fresh registry per push: one keeps blobs across repositories.
	withRegistry := func(ctx context.Context, push func(target string) (measure.Sample, error)) (measure.Sample, error) {
		reg, err := startRegistry(ctx)
		if err != nil {
			return measure.Sample{}, err
		}
		defer reg.stop()
		return push(reg.host + "/bench/image:1")
	}
	cs := []contender{{oursName, func(ctx context.Context) (measure.Sample, error) {
		return withRegistry(ctx, func(target string) (measure.Sample, error) {
			if err := s.Tag(ctx, ref, target); err != nil {
				return measure.Sample{}, err
			}
			defer s.Remove(ctx, target, false)
			// A fresh service: it remembers what it pushed before.
			d := distribution.New(s, distribution.Config{})
			start, cpu := time.Now(), measure.OwnCPU()
			if _, err := d.Push(ctx, target, distribution.PushOptions{}); err != nil {
				return measure.Sample{}, err
			}
			return measure.Sample{Wall: time.Since(start), CPU: measure.OwnCPU() - cpu}, nil
		})
	}}}
	var skipped [][2]string
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		src := filepath.Join(work, "skopeo-source")
		if _, err := timeCommand(ctx, skopeo, "copy", "--quiet", "--src-tls-verify=false", "docker://"+ref, "dir:"+src); err != nil {
			return fmt.Errorf("preparing skopeo's source directory: %w", err)
		}
		cs = append(cs, contender{"skopeo copy dir: docker://", func(ctx context.Context) (measure.Sample, error) {
			return withRegistry(ctx, func(target string) (measure.Sample, error) {
				return timeCommand(ctx, skopeo, "copy", "--quiet", "--dest-tls-verify=false", "dir:"+src, "docker://"+target)
			})
		}})
	} else {
		skipped = append(skipped, [2]string{"skopeo", "not installed (apt-get install skopeo)"})
	}
	title := fmt.Sprintf("== Push to an empty registry on 127.0.0.1 (ours: render and gzip the layers from the store; skopeo: upload a directory's compressed blobs), %d runs each after %d warm-up, alternating",
		cfg.n, cfg.warmup)
	return compare(ctx, title, cfg, cs, skipped)
}

// timeCommand runs a command and returns its wall and CPU time.
func timeCommand(ctx context.Context, path string, args ...string) (measure.Sample, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measure.Sample{}, fmt.Errorf("%s %s: %w: %s", filepath.Base(path), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return measure.Sample{Wall: wall, CPU: measure.ProcessCPU(cmd.ProcessState)}, nil
}

// compare warms the contenders up, times them taking turns (the first
// rotating each round), and prints the table. A contender failing in
// warm-up is skipped with the reason.
func compare(ctx context.Context, title string, cfg config, cs []contender, skipped [][2]string) error {
	before := loadavg()
	var live []contender
	for _, c := range cs {
		ok := true
		for range cfg.warmup {
			if _, err := c.run(ctx); err != nil {
				if c.name == oursName {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				skipped = append(skipped, [2]string{c.name, err.Error()})
				ok = false
				break
			}
		}
		if ok {
			live = append(live, c)
		}
	}
	series := make([]*measure.Series, len(live))
	for i, c := range live {
		series[i] = &measure.Series{Name: c.name}
	}
	for round := range cfg.n {
		for k := range live {
			i := (round + k) % len(live)
			if err := ctx.Err(); err != nil {
				return err
			}
			x, err := live[i].run(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", live[i].name, err)
			}
			series[i].Add(x)
		}
	}
	measure.Print(os.Stdout, title, oursName, series)
	for _, s := range skipped {
		measure.Skipped(os.Stdout, s[0], s[1])
	}
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}

// loadavg returns the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
