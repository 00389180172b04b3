package measure

import (
	"fmt"
	"io"
	"time"
)

// Print writes title and a table of series: per row the sample count, the
// median and 90th percentile of wall and CPU time, and ours/this, the ratio
// of the median of the series named ours to the row's (below 1: ours is
// faster). A line per other row then says the same in words. Rows without
// samples print as skipped.
func Print(w io.Writer, title, ours string, series []*Series) {
	fmt.Fprintf(w, "%s\n", title)
	fmt.Fprintf(w, "  %-32s %5s %12s %11s %12s %11s %15s %14s\n",
		"", "n", "wall median", "wall p90", "CPU median", "CPU p90", "ours/this wall", "ours/this CPU")
	var base *Summary
	for _, s := range series {
		if s.Name == ours && len(s.Samples) > 0 {
			sum := s.Summarize()
			base = &sum
		}
	}
	for _, s := range series {
		if len(s.Samples) == 0 {
			fmt.Fprintf(w, "  %-32s  (no samples)\n", s.Name)
			continue
		}
		sum := s.Summarize()
		cpuMed, cpuP90, cpuRatio := "-", "-", "-"
		if sum.CPUKnown {
			cpuMed, cpuP90 = msec(sum.CPUMedian), msec(sum.CPUP90)
		}
		wallRatio := "-"
		if base != nil {
			wallRatio = ratio(base.WallMedian, sum.WallMedian)
			if base.CPUKnown && sum.CPUKnown {
				cpuRatio = ratio(base.CPUMedian, sum.CPUMedian)
			}
		}
		fmt.Fprintf(w, "  %-32s %5d %12s %11s %12s %11s %15s %14s\n", s.Name, sum.N,
			msec(sum.WallMedian), msec(sum.WallP90), cpuMed, cpuP90, wallRatio, cpuRatio)
	}
	if base == nil {
		return
	}
	for _, s := range series {
		if s.Name == ours || len(s.Samples) == 0 {
			continue
		}
		sum := s.Summarize()
		line := fmt.Sprintf("  ours vs %s: %s× its median wall time", s.Name, ratio(base.WallMedian, sum.WallMedian))
		if base.CPUKnown && sum.CPUKnown {
			line += fmt.Sprintf(", %s× its median CPU time", ratio(base.CPUMedian, sum.CPUMedian))
		}
		line += " (" + verdict(base.WallMedian, sum.WallMedian) + fmt.Sprintf("; its wall time is %s× ours)", ratio(sum.WallMedian, base.WallMedian))
		fmt.Fprintln(w, line)
	}
}

// Skipped prints the line saying a contender was left out, and why.
func Skipped(w io.Writer, name, why string) {
	fmt.Fprintf(w, "  skipped %s: %s\n", name, why)
}

func msec(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// ratio is a/b with at least two significant digits.
func ratio(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	r := float64(a) / float64(b)
	if r < 0.1 {
		return fmt.Sprintf("%.2g", r)
	}
	return fmt.Sprintf("%.2f", r)
}

func verdict(ours, other time.Duration) string {
	switch {
	case ours < other:
		return "ours faster"
	case ours > other:
		return "ours slower"
	default:
		return "even"
	}
}
