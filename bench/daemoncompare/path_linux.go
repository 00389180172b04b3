package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// partPath is part 10 (issue 13): where the time of a `run --rm
// --network none base /bin/true` goes. cfg.n rounds, each of: the CLI's
// run --rm, the same requests with the client package in this process
// (runRm, each request timed), and the CLI's --version; the CLI's time
// less the requests' and its start is the CLI's share. The attach that
// starts the container is set against the start phases' sum of part
// phases (run just before, when asked for).
func (s *setup) partPath(ctx context.Context) error {
	before := loadavg()
	cli := s.ours.cliRunner("ours: container-runtime run --rm", "none", s.out)
	version := &cmdRunner{label: "container-runtime --version", argv: []string{s.ours.bin.cli, "--version"}, dir: s.ours.dir, out: s.out}
	var all [][]api.Phase
	var cliWall, versionWall []time.Duration
	for i := range s.cfg.warmup + s.cfg.n {
		c, err := cli.run(ctx)
		if err != nil {
			return err
		}
		steps, err := s.ours.runRm(ctx, "none")
		if err != nil {
			return err
		}
		v, err := version.run(ctx)
		if err != nil {
			return err
		}
		if i >= s.cfg.warmup {
			all = append(all, steps)
			cliWall = append(cliWall, c.Wall)
			versionWall = append(versionWall, v.Wall)
		}
	}
	steps, sum := phaseStats(all)
	fmt.Printf("== Where run --rm --network none base /bin/true spends its time: %d rounds of our CLI's run --rm, its requests with the client package, and its --version\n", s.cfg.n)
	pathReport{n: s.cfg.n, steps: steps, sum: sum, cliStart: measure.Median(versionWall), runRm: measure.Median(cliWall), phases: s.phasesSum}.print(os.Stdout)
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}
