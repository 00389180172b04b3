package runtime

import (
	"slices"
	"testing"
	"time"
)

// TestPhaseClock: the stamps of the three processes become consecutive
// durations in createPhases' order that add up to Create's whole time; a
// stamp earlier than the previous one counts zero, without making the
// next phase longer; missing stamps give no phases at all.
func TestPhaseClock(t *testing.T) {
	begin := time.Unix(1000, 0)
	at := func(ms int64) int64 { return begin.Add(time.Duration(ms) * time.Millisecond).UnixNano() }
	c := &phaseClock{
		begin:    begin,
		prepared: begin.Add(2 * time.Millisecond),
		stage:    []int64{at(3), at(13), at(14)},
		// config's stamp is before init-start's: a clock set back.
		init: []int64{at(16), at(15), at(20), at(20), at(21), at(23), at(24)},
	}
	got, ok := c.phases(begin.Add(30 * time.Millisecond))
	if !ok {
		t.Fatal("phases refused complete stamps")
	}
	var names []string
	var sum time.Duration
	ms := map[string]time.Duration{}
	for _, p := range got {
		names = append(names, p.Name)
		sum += p.Duration
		ms[p.Name] = p.Duration / time.Millisecond
	}
	if !slices.Equal(names, createPhases) {
		t.Fatalf("names %v, want %v", names, createPhases)
	}
	want := map[string]time.Duration{
		"prepare": 2, "stage-exec": 1, "cgroups": 10, "namespaces": 1, "init-start": 2,
		"config": 0, "mounts": 4, "hooks": 0, "pivot_root": 1, "setup": 2, "privileges": 1, "state": 6,
	}
	for name, d := range want {
		if ms[name] != d {
			t.Errorf("%s: %d ms, want %d", name, ms[name], d)
		}
	}
	if sum != 30*time.Millisecond {
		t.Errorf("the phases add up to %v, want Create's 30ms", sum)
	}

	for _, broken := range []*phaseClock{
		{begin: begin, prepared: c.prepared, stage: c.stage[:2], init: c.init},
		{begin: begin, prepared: c.prepared, stage: c.stage},
		{begin: begin, stage: c.stage, init: c.init},
	} {
		if p, ok := broken.phases(begin.Add(time.Second)); ok || p != nil {
			t.Errorf("incomplete stamps %+v gave phases %v", broken, p)
		}
	}
}
