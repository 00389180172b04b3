package main

import (
	"context"
	"fmt"
	"os"

	"github.com/container-runtime/container-runtime/api"
)

// partPath is part 10 (issue 13): where the time of a `run --rm
// --network none base /bin/true` goes. cfg.n runs of what the CLI does,
// with the client package in this process (runRm), each request timed;
// next to them the CLI's own start (--version) and its run --rm (part
// run), whose difference is the CLI's share, and the start phases' sum
// (part phases), whose difference to the attach that starts the container
// is the daemon's own share of the start.
func (s *setup) partPath(ctx context.Context) error {
	before := loadavg()
	for range s.cfg.warmup {
		if _, err := s.ours.runRm(ctx, "none"); err != nil {
			return err
		}
	}
	var all [][]api.Phase
	for range s.cfg.n {
		steps, err := s.ours.runRm(ctx, "none")
		if err != nil {
			return err
		}
		all = append(all, steps)
	}
	version := &cmdRunner{label: "container-runtime --version", argv: []string{s.ours.bin.cli, "--version"}, dir: s.ours.dir, out: s.out}
	series, err := alternate(ctx, []runner{version}, s.cfg.n)
	if err != nil {
		return err
	}
	steps, sum := phaseStats(all)
	fmt.Printf("== Where run --rm --network none base /bin/true spends its time: %d runs of the CLI's requests with the client package, one after the other\n", s.cfg.n)
	pathReport{n: s.cfg.n, steps: steps, sum: sum, cliStart: series[0].Summarize().WallMedian, runRm: s.runRm, phases: s.phasesSum}.print(os.Stdout)
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}
