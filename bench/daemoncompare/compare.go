package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// skip is a contender left out, and why.
type skip struct{ name, why string }

// warmUp runs every runner warmup times, untimed. The first runner is
// ours: its failure is an error; a peer that fails is dropped with the
// reason.
func warmUp(ctx context.Context, rs []runner, warmup int) (kept []runner, skipped []skip, err error) {
	for i, r := range rs {
		var werr error
		for range warmup {
			if _, werr = r.run(ctx); werr != nil {
				break
			}
		}
		switch {
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case werr == nil:
			kept = append(kept, r)
		case i == 0:
			return nil, nil, fmt.Errorf("warm-up: %w", werr)
		default:
			skipped = append(skipped, skip{r.name(), "failed during warm-up: " + oneLine(werr)})
		}
	}
	return kept, skipped, nil
}

// alternate times n rounds of one run per runner, the runner going first
// rotating each round, so that load from elsewhere on the machine hits
// them alike. Any failure once timing started is an error.
func alternate(ctx context.Context, rs []runner, n int) ([]*measure.Series, error) {
	series := make([]*measure.Series, len(rs))
	for j, r := range rs {
		series[j] = &measure.Series{Name: r.name()}
	}
	for i := range n {
		for k := range rs {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			j := (i + k) % len(rs)
			s, err := rs[j].run(ctx)
			if err != nil {
				return nil, fmt.Errorf("round %d: %w", i+1, err)
			}
			series[j].Add(s)
		}
	}
	return series, nil
}

// batches times rounds of count sequential runs per runner (one sample is
// a whole batch: its total wall and CPU time), the runner going first
// rotating each round.
func batches(ctx context.Context, rs []runner, count, rounds int) ([]*measure.Series, error) {
	series := make([]*measure.Series, len(rs))
	for j, r := range rs {
		series[j] = &measure.Series{Name: r.name()}
	}
	for i := range rounds {
		for k := range rs {
			j := (i + k) % len(rs)
			var total measure.Sample
			start := time.Now()
			for c := range count {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				s, err := rs[j].run(ctx)
				if err != nil {
					return nil, fmt.Errorf("round %d, container %d: %w", i+1, c+1, err)
				}
				total.CPU += s.CPU
			}
			total.Wall = time.Since(start)
			series[j].Add(total)
		}
	}
	return series, nil
}

// printTable prints the series (ours first) and the skipped contenders.
func printTable(w io.Writer, title string, series []*measure.Series, skipped []skip) {
	measure.Print(w, title, series[0].Name, series)
	for _, s := range skipped {
		measure.Skipped(w, s.name, s.why)
	}
}

// medianDiff is how much the median of b exceeds a's, wall and CPU.
func medianDiff(a, b *measure.Series) (wall, cpu time.Duration) {
	sa, sb := a.Summarize(), b.Summarize()
	return sb.WallMedian - sa.WallMedian, sb.CPUMedian - sa.CPUMedian
}
