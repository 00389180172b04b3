package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSummarizeConc(t *testing.T) {
	ok := make([]concResult, 4)
	bad := []concResult{{}, {err: errors.New("exit status 125: Error: daemon busy")}, {}, {}}
	tests := []struct {
		name       string
		rs         []concResult
		total      time.Duration
		wantFailed int
		wantRatio  float64
		want       []string
		notWant    []string
	}{
		{"all succeed within the target", ok, 150 * time.Millisecond, 0, 1.5,
			[]string{"4 of 4 clients succeeded", "37.50 ms per container (total/4), 0.38× the sequential time per container", "1.5× (target: all succeed and ≤ 2.0×: met)"},
			[]string{"FAILED"}},
		{"all succeed, too slow", ok, 300 * time.Millisecond, 0, 3,
			[]string{"4 of 4 clients succeeded", "3.0× (target: all succeed and ≤ 2.0×: NOT met)"}, nil},
		{"one fails", bad, 100 * time.Millisecond, 1, 1,
			[]string{"3 of 4 clients succeeded", "client 2 FAILED: exit status 125: Error: daemon busy", "NOT met"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summarizeConc(tt.rs, tt.total, 100*time.Millisecond)
			if s.failed != tt.wantFailed || s.clients != len(tt.rs) {
				t.Errorf("failed %d of %d, want %d of %d", s.failed, s.clients, tt.wantFailed, len(tt.rs))
			}
			if s.ratio() != tt.wantRatio {
				t.Errorf("ratio() = %v, want %v", s.ratio(), tt.wantRatio)
			}
			var buf bytes.Buffer
			s.print(&buf, tt.rs)
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("output has %q:\n%s", w, buf.String())
				}
			}
		})
	}
	if r := summarizeConc(ok, time.Second, 0).ratio(); r != 0 {
		t.Errorf("ratio() without a sequential time = %v, want 0", r)
	}
}
