package measure

import (
	"math"
	"slices"
	"time"
)

// Sample is one timed operation.
type Sample struct {
	// Wall is the elapsed time.
	Wall time.Duration
	// CPU is the user+sys time spent doing it, or 0 when unknown.
	CPU time.Duration
}

// Series is the samples of one contender.
type Series struct {
	// Name labels the row.
	Name string
	// Samples are in the order taken.
	Samples []Sample
}

// Add appends a sample.
func (s *Series) Add(x Sample) { s.Samples = append(s.Samples, x) }

// Summary is what a Series comes to.
type Summary struct {
	N                   int
	WallMedian, WallP90 time.Duration
	CPUMedian, CPUP90   time.Duration
	CPUKnown            bool
}

// Summarize computes the medians and 90th percentiles of s.
func (s *Series) Summarize() Summary {
	wall := make([]time.Duration, 0, len(s.Samples))
	cpu := make([]time.Duration, 0, len(s.Samples))
	known := len(s.Samples) > 0
	for _, x := range s.Samples {
		wall = append(wall, x.Wall)
		cpu = append(cpu, x.CPU)
		if x.CPU == 0 {
			known = false
		}
	}
	sum := Summary{N: len(s.Samples), WallMedian: Median(wall), WallP90: Percentile(wall, 90), CPUKnown: known}
	if known {
		sum.CPUMedian, sum.CPUP90 = Median(cpu), Percentile(cpu, 90)
	}
	return sum
}

// Median returns the median of ds (the mean of the middle two for an even
// count), 0 for none. ds is not modified.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Percentile returns the p-th percentile of ds by the nearest-rank method
// (the smallest value with at least p% of the values at or below it), 0
// for none. ds is not modified.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}
