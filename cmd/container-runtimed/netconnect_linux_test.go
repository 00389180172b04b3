package main

import (
	"errors"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/network"
)

func TestParsePruneFilters(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	old := network.Network{Name: "old", Created: now.Add(-48 * time.Hour), Labels: map[string]string{"team": "a"}}
	fresh := network.Network{Name: "fresh", Created: now.Add(-time.Minute), Labels: map[string]string{"team": "b", "tmp": ""}}
	for _, tc := range []struct {
		filters     map[string][]string
		pruneOld    bool
		pruneFresh  bool
		wantInvalid bool
	}{
		{nil, true, true, false},
		{map[string][]string{"until": {"24h"}}, true, false, false},
		{map[string][]string{"until": {"2024-05-01T11:00:00Z"}}, true, false, false},
		{map[string][]string{"until": {"2024-04-30"}}, true, false, false},
		{map[string][]string{"until": {"1714564800"}}, true, true, false}, // 2024-05-01T12:00:00Z
		{map[string][]string{"label": {"team=a"}}, true, false, false},
		{map[string][]string{"label": {"tmp"}}, false, true, false},
		{map[string][]string{"label": {"team"}, "label!": {"team=b"}}, true, false, false},
		{map[string][]string{"until": {"soon"}}, false, false, true},
		{map[string][]string{"driver": {"bridge"}}, false, false, true},
	} {
		keep, err := parsePruneFilters(tc.filters, now)
		if tc.wantInvalid {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("%v: %v, want ErrInvalidArgument", tc.filters, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.filters, err)
			continue
		}
		if got := !keep(old); got != tc.pruneOld {
			t.Errorf("%v: prunes old %v, want %v", tc.filters, got, tc.pruneOld)
		}
		if got := !keep(fresh); got != tc.pruneFresh {
			t.Errorf("%v: prunes fresh %v, want %v", tc.filters, got, tc.pruneFresh)
		}
	}
}

// FuzzParseUntil checks prune's until filter, which comes from API
// clients: any text is a time or ErrInvalidArgument, never a panic.
func FuzzParseUntil(f *testing.F) {
	for _, s := range []string{"24h", "-1h", "2024-05-01", "2024-05-01T10:00:00Z", "1714564800", "", "9999999999999999999999", "1h2m3s4ms"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseUntil(s, now); err != nil && !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Fatalf("parseUntil(%q): %v is not ErrInvalidArgument", s, err)
		}
	})
}
