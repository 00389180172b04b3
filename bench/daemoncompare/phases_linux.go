package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// partPhases is part 9: cfg.n containers `run -d --network none base
// /bin/true` one after the other, then each one's start phases from
// inspect, aggregated per phase name; the containers are removed.
func (s *setup) partPhases(ctx context.Context) (retErr error) {
	before := loadavg()
	var ids []string
	defer func() {
		for _, id := range ids {
			if err := s.ours.client.ContainerRemove(context.WithoutCancel(ctx), id, true); err != nil && retErr == nil {
				retErr = fmt.Errorf("removing container %s: %w", id, err)
			}
		}
	}()
	for range s.cfg.n {
		out, err := s.ours.cli(ctx, "run", "-d", "--network", "none", "base", "/bin/true")
		if err != nil {
			return err
		}
		ids = append(ids, strings.TrimSpace(out))
	}
	var all [][]api.Phase
	for _, id := range ids {
		c, err := s.ours.client.ContainerInspect(ctx, id)
		if err != nil {
			return fmt.Errorf("inspecting container %s: %w", id, err)
		}
		all = append(all, c.StartPhases)
	}
	fmt.Printf("== Start phases (inspect's StartPhases) of %d containers run -d --network none base /bin/true, one after the other\n", s.cfg.n)
	stats, sum := phaseStats(all)
	s.phasesSum = sum
	if len(stats) == 0 {
		fmt.Println("  no start phases reported (the daemon records none)")
	} else {
		printPhases(os.Stdout, s.cfg.n, stats, sum, s.runRm)
	}
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}
