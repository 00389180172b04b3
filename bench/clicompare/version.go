package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// contender is a client and the command line timed for it.
type contender struct {
	series *measure.Series
	argv   []string
}

// timeVersion times `CLIENT --version` for ours, the -also builds,
// docker and podman (those installed), rotating which goes first each round, and prints the
// table.
func timeVersion(ctx context.Context, ours string, cfg config) error {
	cs := []*contender{{series: &measure.Series{Name: oursName + " --version"}, argv: []string{ours, "--version"}}}
	for _, p := range cfg.also {
		cs = append(cs, &contender{series: &measure.Series{Name: p + " --version"}, argv: []string{p, "--version"}})
	}
	var skipped [][2]string
	for _, peer := range []string{"docker", "podman"} {
		path, err := exec.LookPath(peer)
		if err != nil {
			skipped = append(skipped, [2]string{peer, "not installed"})
			continue
		}
		cs = append(cs, &contender{series: &measure.Series{Name: peer + " --version"}, argv: []string{path, "--version"}})
	}
	for round := range cfg.warmup + cfg.n {
		for i := range cs {
			c := cs[(round+i)%len(cs)]
			if c.argv == nil {
				continue
			}
			s, err := timeOnce(ctx, c.argv)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				if c.series.Name == cs[0].series.Name {
					return err
				}
				skipped = append(skipped, [2]string{c.argv[0], err.Error()})
				c.argv, c.series.Samples = nil, nil
				continue
			}
			if round >= cfg.warmup {
				c.series.Add(s)
			}
		}
	}
	series := make([]*measure.Series, 0, len(cs))
	for _, c := range cs {
		if c.argv != nil {
			series = append(series, c.series)
		}
	}
	measure.Print(os.Stdout, fmt.Sprintf("== --version, %d runs each; load average %s", cfg.n, loadavg()), series[0].Name, series)
	for _, s := range skipped {
		measure.Skipped(os.Stdout, s[0], s[1])
	}
	return nil
}

// timeOnce runs argv with its output discarded: wall time around the run,
// CPU time of the process from wait4.
func timeOnce(ctx context.Context, argv []string) (measure.Sample, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measure.Sample{}, fmt.Errorf("%v: %w", argv, err)
	}
	return measure.Sample{Wall: wall, CPU: measure.ProcessCPU(cmd.ProcessState)}, nil
}
