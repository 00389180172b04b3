package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

func TestPhaseStats(t *testing.T) {
	ms := time.Millisecond
	containers := [][]api.Phase{
		{{Name: "rootfs", Duration: 2 * ms}, {Name: "cgroups", Duration: 1 * ms}, {Name: "exec", Duration: 4 * ms}},
		{{Name: "rootfs", Duration: 4 * ms}, {Name: "cgroup-move", Duration: 3 * ms}, {Name: "exec", Duration: 2 * ms}},
		// A name twice in one start counts once, as the sum.
		{{Name: "rootfs", Duration: 3 * ms}, {Name: "exec", Duration: 1 * ms}, {Name: "exec", Duration: 5 * ms}},
		{},
	}
	stats, sum := phaseStats(containers)
	want := []phaseStat{
		{name: "rootfs", n: 3, median: 3 * ms, p90: 4 * ms},
		{name: "cgroups", n: 1, median: 1 * ms, p90: 1 * ms},
		{name: "exec", n: 3, median: 4 * ms, p90: 6 * ms},
		{name: "cgroup-move", n: 1, median: 3 * ms, p90: 3 * ms},
	}
	if len(stats) != len(want) {
		t.Fatalf("stats = %+v, want %+v", stats, want)
	}
	for i := range want {
		if stats[i] != want[i] {
			t.Errorf("stats[%d] = %+v, want %+v", i, stats[i], want[i])
		}
	}
	// Sums 7, 9, 9 and 0 ms: the median is 8 ms.
	if sum != 8*ms {
		t.Errorf("median of the sums = %v, want 8ms", sum)
	}
	if stats, sum := phaseStats(nil); len(stats) != 0 || sum != 0 {
		t.Errorf("phaseStats(nil) = %v, %v, want none", stats, sum)
	}
}

func TestPrintPhases(t *testing.T) {
	stats := []phaseStat{{name: "namespaces", n: 2, median: 1500 * time.Microsecond, p90: 2 * time.Millisecond}}
	var buf bytes.Buffer
	printPhases(&buf, 2, stats, 4*time.Millisecond, 16*time.Millisecond)
	for _, w := range []string{"namespaces", "2/2", "1.500", "2.000", "sum of the phases", "4.000", "16.000 ms; the phases' sum is 25% of it"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, buf.String())
		}
	}
	buf.Reset()
	printPhases(&buf, 2, stats, 4*time.Millisecond, 0)
	if !strings.Contains(buf.String(), "part run did not run") {
		t.Errorf("without part run, output lacks the note:\n%s", buf.String())
	}
}
