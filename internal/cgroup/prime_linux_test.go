package cgroup

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestPrimeMigrationMovesNothing: priming writes "0" into a cgroup this
// process is already in, so its cgroups are the same afterwards; the file
// it writes lists this process; and the goroutine ends once done is called
// (twice is harmless).
func TestPrimeMigrationMovesNothing(t *testing.T) {
	requireRoot(t)
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	p := ownProcsFile()
	if p == "" {
		t.Fatalf("no cgroup.procs file found for this process; /proc/self/cgroup:\n%s", before)
	}
	procs, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Fields(string(procs)), strconv.Itoa(os.Getpid())) {
		t.Fatalf("%s does not list this process (%d):\n%s", p, os.Getpid(), procs)
	}
	base := runtime.NumGoroutine()
	done := PrimeMigration()
	// Let it write a few times (not a timing assertion: the checks below
	// hold whatever it managed to do).
	time.Sleep(4 * primeEvery)
	done()
	done()
	testutil.WaitFor(t, 5*time.Second, "the priming goroutine to end", func() bool {
		return runtime.NumGoroutine() <= base
	})
	after, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("priming moved this process:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestPrimeMigrationShared: overlapping callers (a start primes from the
// container service and again from the runtime) share one goroutine,
// which runs until the last lease ends; a lease whose done is never
// called ends by itself after primeFor.
func TestPrimeMigrationShared(t *testing.T) {
	requireRoot(t)
	base := runtime.NumGoroutine()
	first := PrimeMigration()
	second := PrimeMigration()
	third := PrimeMigration()
	if n := runtime.NumGoroutine() - base; n > 1 {
		t.Errorf("three overlapping leases run %d goroutines, want 1", n)
	}
	first()
	second()
	third()
	testutil.WaitFor(t, 5*time.Second, "the priming goroutine to end after the last done", func() bool {
		return runtime.NumGoroutine() <= base
	})

	_ = PrimeMigration() // never done
	testutil.WaitFor(t, 5*time.Second, "a lease without done to run out", func() bool {
		return runtime.NumGoroutine() <= base
	})
	primer.mu.Lock()
	defer primer.mu.Unlock()
	if len(primer.leases) != 0 || primer.running {
		t.Errorf("after the goroutine ended: %d leases, running %v", len(primer.leases), primer.running)
	}
}
