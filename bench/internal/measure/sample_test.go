package measure

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestMedianPercentile(t *testing.T) {
	tests := []struct {
		name        string
		in          []time.Duration
		median, p90 time.Duration
	}{
		{"empty", nil, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{"odd unsorted", ms(5, 1, 3), 3 * time.Millisecond, 5 * time.Millisecond},
		{"even", ms(4, 1, 3, 2), 2500 * time.Microsecond, 4 * time.Millisecond},
		{"ten", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 5500 * time.Microsecond, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tt.in...)
			if got := Median(in); got != tt.median {
				t.Errorf("Median = %v, want %v", got, tt.median)
			}
			if got := Percentile(in, 90); got != tt.p90 {
				t.Errorf("Percentile(90) = %v, want %v", got, tt.p90)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("input modified: %v, was %v", in, tt.in)
				}
			}
		})
	}
}

func TestSummarizeCPUUnknown(t *testing.T) {
	s := &Series{Name: "x"}
	s.Add(Sample{Wall: time.Millisecond, CPU: time.Millisecond})
	s.Add(Sample{Wall: time.Millisecond})
	if sum := s.Summarize(); sum.CPUKnown {
		t.Errorf("CPU known with a sample lacking it: %+v", sum)
	}
}

func TestPrintRatios(t *testing.T) {
	ours := &Series{Name: "ours"}
	peer := &Series{Name: "peer"}
	none := &Series{Name: "absent"}
	for range 3 {
		ours.Add(Sample{Wall: 10 * time.Millisecond, CPU: 4 * time.Millisecond})
		peer.Add(Sample{Wall: 20 * time.Millisecond, CPU: 16 * time.Millisecond})
	}
	var buf bytes.Buffer
	Print(&buf, "title", "ours", []*Series{ours, peer, none})
	out := buf.String()
	for _, want := range []string{
		"title\n",
		"ours vs peer: 0.50× its median wall time, 0.25× its median CPU time (ours faster; its wall time is 2.00× ours)",
		"absent" + strings.Repeat(" ", 32-len("absent")) + "  (no samples)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b time.Duration
		want string
	}{
		{1, 2, "0.50"},
		{3, 2, "1.50"},
		{1, 125, "0.008"},
		{1, 0, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := ratio(tt.a, tt.b); got != tt.want {
				t.Errorf("ratio(%d, %d) = %q, want %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
