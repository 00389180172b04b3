package main

import (
	"fmt"
	"io"
	"time"
)

// concResult is how one of the concurrent clients ended: err is nil on
// success, and says why (with the client's output) otherwise.
type concResult struct{ err error }

// concSummary is part conc's outcome.
type concSummary struct {
	clients, failed int
	// total is the wall time from the first client's start to the last
	// one's end; seqPer the time per container of the sequential batch.
	total, seqPer time.Duration
}

// summarizeConc counts the failures among rs.
func summarizeConc(rs []concResult, total, seqPer time.Duration) concSummary {
	s := concSummary{clients: len(rs), total: total, seqPer: seqPer}
	for _, r := range rs {
		if r.err != nil {
			s.failed++
		}
	}
	return s
}

// ratio is the total wall time over the sequential time per container,
// 0 when that is unknown.
func (s concSummary) ratio() float64 {
	if s.seqPer <= 0 {
		return 0
	}
	return float64(s.total) / float64(s.seqPer)
}

// concTarget is issue 13's: n concurrent clients take at most this many
// times the sequential time per container in all.
const concTarget = 2.0

// print writes the summary, and each failed client of rs (its number
// from 1, and why).
func (s concSummary) print(w io.Writer, rs []concResult) {
	fmt.Fprintf(w, "  %d of %d clients succeeded\n", s.clients-s.failed, s.clients)
	for i, r := range rs {
		if r.err != nil {
			fmt.Fprintf(w, "  client %d FAILED: %s\n", i+1, oneLine(r.err))
		}
	}
	per := s.total / time.Duration(max(s.clients, 1))
	fmt.Fprintf(w, "  total wall time %.1f ms for %d; %.2f ms per container (total/%d), %s× the sequential time per container\n",
		ms(s.total), s.clients, ms(per), s.clients, ratioOf(per, s.seqPer))
	met := "met"
	if s.failed > 0 || s.ratio() > concTarget {
		met = "NOT met"
	}
	fmt.Fprintf(w, "  sequential: %.2f ms per container; total / sequential per container: %.1f× (target: all succeed and ≤ %.1f×: %s)\n",
		ms(s.seqPer), s.ratio(), concTarget, met)
}
