package main

import (
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// TestPathReport: the steps' table, and the CLI's and the daemon's shares
// computed from the medians.
func TestPathReport(t *testing.T) {
	runs := [][]api.Phase{
		{{Name: "create", Duration: 3 * time.Millisecond}, {Name: "attach+start", Duration: 13 * time.Millisecond}, {Name: "exit", Duration: time.Millisecond}},
		{{Name: "create", Duration: 2 * time.Millisecond}, {Name: "attach+start", Duration: 12 * time.Millisecond}, {Name: "exit", Duration: time.Millisecond}},
		{{Name: "create", Duration: 4 * time.Millisecond}, {Name: "attach+start", Duration: 14 * time.Millisecond}, {Name: "exit", Duration: 3 * time.Millisecond}},
	}
	steps, sum := phaseStats(runs)
	var b strings.Builder
	pathReport{n: 3, steps: steps, sum: sum, cliStart: 2500 * time.Microsecond, runRm: 22 * time.Millisecond, phases: 11 * time.Millisecond}.print(&b)
	out := b.String()
	for _, want := range []string{
		"create                           3/3          3.000",
		"attach+start                     3/3         13.000",
		"sum of the steps                            17.000",
		"the CLI's start alone (--version): 2.500 ms",
		"beyond the steps and its start: 2.500 ms",
		"(part phases, 11.000 ms): 2.000 ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	pathReport{n: 3, steps: steps, sum: sum}.print(&b)
	if out := b.String(); !strings.Contains(out, "part phases did not run") {
		t.Errorf("without part phases:\n%s", out)
	}
}
