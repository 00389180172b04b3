package main

import (
	"strings"
	"testing"
	"time"
)

func TestTargetVerdict(t *testing.T) {
	tg := target{"ours", "crun", 1.1}
	tests := []struct {
		name       string
		ours, peer time.Duration
		want       string
	}{
		{"faster", 9 * time.Millisecond, 10 * time.Millisecond, "ours / crun: 0.90× (target ≤ 1.1×: met)"},
		{"at the target", 11 * time.Millisecond, 10 * time.Millisecond, "1.10× (target ≤ 1.1×: met)"},
		{"slower", 12 * time.Millisecond, 10 * time.Millisecond, "1.20× (target ≤ 1.1×: NOT met)"},
		{"no peer median", 12 * time.Millisecond, 0, "no ratio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tg.verdict(tt.ours, tt.peer); !strings.Contains(got, tt.want) {
				t.Errorf("verdict(%v, %v) = %q, want it to contain %q", tt.ours, tt.peer, got, tt.want)
			}
		})
	}
}
