package main

import (
	"fmt"
	"io"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// phaseStat is one start phase over the containers.
type phaseStat struct {
	name string
	// n is how many containers reported the phase.
	n           int
	median, p90 time.Duration
}

// phaseStats aggregates the start phases of containers (one slice per
// container), per name in the order the names are first seen: the names
// are the runtime's and change with it. A name reported twice by one
// start counts as the sum of the two. sumMedian is the median of each
// container's sum of phases.
func phaseStats(containers [][]api.Phase) (stats []phaseStat, sumMedian time.Duration) {
	var order []string
	per := map[string][]time.Duration{}
	var sums []time.Duration
	for _, phases := range containers {
		own := map[string]time.Duration{}
		var ownOrder []string
		var sum time.Duration
		for _, p := range phases {
			if _, ok := own[p.Name]; !ok {
				ownOrder = append(ownOrder, p.Name)
			}
			own[p.Name] += p.Duration
			sum += p.Duration
		}
		for _, name := range ownOrder {
			if _, ok := per[name]; !ok {
				order = append(order, name)
			}
			per[name] = append(per[name], own[name])
		}
		sums = append(sums, sum)
	}
	for _, name := range order {
		ds := per[name]
		stats = append(stats, phaseStat{name: name, n: len(ds), median: measure.Median(ds), p90: measure.Percentile(ds, 90)})
	}
	return stats, measure.Median(sums)
}

// printPhases writes the phases' table for n containers, with the
// median wall time of `run --rm` (0: part run did not run).
func printPhases(w io.Writer, n int, stats []phaseStat, sumMedian, runRm time.Duration) {
	fmt.Fprintf(w, "  %-28s %8s %12s %12s\n", "phase", "reported", "median ms", "p90 ms")
	for _, s := range stats {
		fmt.Fprintf(w, "  %-28s %5d/%-3d %12.3f %12.3f\n", s.name, s.n, n, ms(s.median), ms(s.p90))
	}
	fmt.Fprintf(w, "  %-28s %8s %12.3f\n", "sum of the phases", "", ms(sumMedian))
	if runRm > 0 {
		fmt.Fprintf(w, "  median wall time of run --rm (part run, our CLI): %.3f ms; the phases' sum is %.0f%% of it\n",
			ms(runRm), 100*float64(sumMedian)/float64(runRm))
	} else {
		fmt.Fprintln(w, "  median wall time of run --rm: part run did not run")
	}
}
