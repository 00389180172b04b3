// Package measure keeps the timings of the side-by-side benchmarks under
// bench/ and prints them as one table: per contender the median and 90th
// percentile of wall-clock time and of CPU time, and the ratio of ours to
// each.
//
// CPU time (user+sys of the process tree that did the work) is reported
// next to wall time because the machine is shared: other work stretches
// wall time much more than CPU time.
package measure
