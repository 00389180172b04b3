package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// fakeRunner records the order of runs in a shared log and fails from
// run number failAt on (0: never).
type fakeRunner struct {
	label  string
	log    *[]string
	runs   int
	failAt int
}

func (f *fakeRunner) name() string { return f.label }

func (f *fakeRunner) run(context.Context) (measure.Sample, error) {
	f.runs++
	*f.log = append(*f.log, f.label)
	if f.failAt > 0 && f.runs >= f.failAt {
		return measure.Sample{}, errors.New("boom")
	}
	return measure.Sample{Wall: time.Millisecond, CPU: time.Microsecond}, nil
}

func TestWarmUp(t *testing.T) {
	var log []string
	ours := &fakeRunner{label: "ours", log: &log}
	good := &fakeRunner{label: "good", log: &log}
	bad := &fakeRunner{label: "bad", log: &log, failAt: 2}
	kept, skipped, err := warmUp(context.Background(), []runner{ours, bad, good}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 2 || kept[0] != ours || kept[1] != good {
		t.Errorf("kept %v, want ours and good", kept)
	}
	if len(skipped) != 1 || skipped[0].name != "bad" {
		t.Errorf("skipped %v, want bad", skipped)
	}
	if ours.runs != 3 || good.runs != 3 || bad.runs != 2 {
		t.Errorf("runs: ours %d, good %d, bad %d; want 3, 3, 2", ours.runs, good.runs, bad.runs)
	}

	failing := &fakeRunner{label: "ours", log: &log, failAt: 1}
	if _, _, err := warmUp(context.Background(), []runner{failing, good}, 1); err == nil {
		t.Error("ours failing its warm-up: no error")
	}
}

func TestAlternateRotates(t *testing.T) {
	var log []string
	rs := []runner{&fakeRunner{label: "a", log: &log}, &fakeRunner{label: "b", log: &log}, &fakeRunner{label: "c", log: &log}}
	series, err := alternate(context.Background(), rs, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "b", "c", "a", "c", "a", "b"}
	if len(log) != len(want) {
		t.Fatalf("order %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("order %v, want %v", log, want)
		}
	}
	for i, s := range series {
		if s.Name != rs[i].name() || len(s.Samples) != 3 {
			t.Errorf("series %d: %s with %d samples", i, s.Name, len(s.Samples))
		}
	}
}

func TestAlternateStopsOnFailure(t *testing.T) {
	var log []string
	rs := []runner{&fakeRunner{label: "a", log: &log}, &fakeRunner{label: "b", log: &log, failAt: 2}}
	if _, err := alternate(context.Background(), rs, 5); err == nil {
		t.Error("no error from a failing runner")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := alternate(ctx, rs[:1], 5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestBatchesSumCPU(t *testing.T) {
	var log []string
	rs := []runner{&fakeRunner{label: "a", log: &log}, &fakeRunner{label: "b", log: &log}}
	series, err := batches(context.Background(), rs, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 16 {
		t.Fatalf("%d runs, want 16", len(log))
	}
	// The second round starts with b.
	if log[8] != "b" || log[12] != "a" {
		t.Errorf("second round order %v", log[8:])
	}
	for _, s := range series {
		if len(s.Samples) != 2 {
			t.Fatalf("%s: %d samples, want 2", s.Name, len(s.Samples))
		}
		for _, x := range s.Samples {
			if x.CPU != 4*time.Microsecond {
				t.Errorf("%s: batch CPU %v, want the sum of 4 runs", s.Name, x.CPU)
			}
		}
	}
}

func TestMedianDiff(t *testing.T) {
	a, b := &measure.Series{Name: "a"}, &measure.Series{Name: "b"}
	for _, v := range []int{10, 11, 12} {
		a.Add(measure.Sample{Wall: time.Duration(v) * time.Millisecond, CPU: time.Duration(v) * time.Microsecond})
		b.Add(measure.Sample{Wall: time.Duration(v+3) * time.Millisecond, CPU: time.Duration(v+1) * time.Microsecond})
	}
	wall, cpu := medianDiff(a, b)
	if wall != 3*time.Millisecond || cpu != time.Microsecond {
		t.Errorf("medianDiff = %v, %v; want 3ms, 1µs", wall, cpu)
	}
}
