package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// partConc is part 7: cfg.conc clients of our CLI started at once, each
// `run --rm --network none base /bin/true`, next to a sequential batch
// of as many timed just before. Any client failing is an error of the
// benchmark, reported with its output.
func (s *setup) partConc(ctx context.Context) error {
	n := s.cfg.conc
	before := loadavg()
	cli := s.ours.cliRunner(oursLabel, "none", s.out)
	if _, _, err := warmUp(ctx, []runner{cli}, 1); err != nil {
		return err
	}
	series, err := batches(ctx, []runner{cli}, n, 1)
	if err != nil {
		return fmt.Errorf("sequential batch: %w", err)
	}
	seqPer := series[0].Samples[0].Wall / time.Duration(n)

	results := make([]concResult, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, s.ours.bin.cli, "run", "--rm", "--network", "none", "base", "/bin/true")
		cmd.Env = append(os.Environ(), s.ours.env()...)
		cmd.Dir = s.ours.dir
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			results[i].err = fmt.Errorf("starting the client: %w", err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil {
				results[i].err = fmt.Errorf("%w: %s", err, strings.TrimSpace(out.String()))
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Printf("== %d concurrent clients, each container-runtime run --rm --network none base /bin/true, started at once; next to %d sequential\n", n, n)
	sum := summarizeConc(results, total, seqPer)
	sum.print(os.Stdout, results)
	// Every --rm client waited for its container's removal: none is left.
	list, err := s.ours.client.ContainerList(ctx, true)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		fmt.Printf("  FAILED: %d containers left after the clients ended\n", len(list))
		return fmt.Errorf("part conc: %d containers left after %d run --rm clients ended", len(list), n)
	}
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	if sum.failed > 0 {
		return fmt.Errorf("part conc: %d of %d concurrent clients failed (above)", sum.failed, n)
	}
	return nil
}
