package main

import (
	"fmt"
	"io"
	"time"
)

// pathReport is part path's result: the steps of a run --rm through the
// client package (phaseStats of them), and what it is set against.
type pathReport struct {
	n     int
	steps []phaseStat
	// sum is the median of each run's sum of steps.
	sum time.Duration
	// cliStart is the median wall time of the CLI's --version and runRm
	// of its run --rm, timed in the same rounds; phases is the start
	// phases' sum (part phases), 0 when that part did not run.
	cliStart, runRm, phases time.Duration
}

// print writes the steps' table and where the rest of the CLI's time
// goes: its start, and what it does beyond the requests; and how much of
// the attach that starts the container is the daemon's own, beyond the
// runtime's start phases.
func (p pathReport) print(w io.Writer) {
	fmt.Fprintf(w, "  %-28s %8s %12s %12s\n", "step", "reported", "median ms", "p90 ms")
	var attach time.Duration
	for _, s := range p.steps {
		fmt.Fprintf(w, "  %-28s %5d/%-3d %12.3f %12.3f\n", s.name, s.n, p.n, ms(s.median), ms(s.p90))
		if s.name == "attach+start" {
			attach = s.median
		}
	}
	fmt.Fprintf(w, "  %-28s %8s %12.3f\n", "sum of the steps", "", ms(p.sum))
	fmt.Fprintf(w, "  the CLI's start alone (--version): %.3f ms\n", ms(p.cliStart))
	if p.runRm > 0 {
		fmt.Fprintf(w, "  the CLI's run --rm: %.3f ms; beyond the steps and its start: %.3f ms (its flags, its HTTP client, its exit)\n",
			ms(p.runRm), ms(p.runRm-p.sum-p.cliStart))
	}
	if p.phases > 0 && attach > 0 {
		fmt.Fprintf(w, "  attach+start beyond the start phases' sum (part phases, %.3f ms): %.3f ms (the daemon around the runtime: the request, the record, the monitor, the network)\n",
			ms(p.phases), ms(attach-p.phases))
	} else {
		fmt.Fprintln(w, "  the start phases: part phases did not run")
	}
}
