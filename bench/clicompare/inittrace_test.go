package main

import (
	"testing"
	"time"
)

// TestParseInitTrace reads GODEBUG=inittrace=1 lines among a program's
// own output.
func TestParseInitTrace(t *testing.T) {
	in := "init internal/bytealg @0.004 ms, 0 ms clock, 0 bytes, 0 allocs\n" +
		"container-runtime version dev\n" +
		"init net/netip @0.52 ms, 0.011 ms clock, 752 bytes, 6 allocs\n" +
		"init main @1.1 ms, 0.25 ms clock, 28552 bytes, 97 allocs\n" +
		"init broken @1 ms, 0.1 ms clock\n"
	got, err := parseInitTrace([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []initLine{
		{pkg: "internal/bytealg", at: 4 * time.Microsecond},
		{pkg: "net/netip", at: 520 * time.Microsecond, clock: 11 * time.Microsecond, bytes: 752, allocs: 6},
		{pkg: "main", at: 1100 * time.Microsecond, clock: 250 * time.Microsecond, bytes: 28552, allocs: 97},
	}
	if len(got) != len(want) {
		t.Fatalf("parsed %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parseInitTrace([]byte("init x @1 ms, abc ms clock, 1 bytes, 1 allocs\n")); err == nil {
		t.Errorf("a clock that is not a number parses")
	}
}
