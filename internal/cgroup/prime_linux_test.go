package cgroup

import (
	"os"
	"path/filepath"
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

// TestPrimeFollowsMove: the loop keeps its files open between writes,
// but reads /proc/self/cgroup before each: a process moved elsewhere
// meanwhile gets its next "0" in its new cgroup, and is not moved back.
func TestPrimeFollowsMove(t *testing.T) {
	requireRoot(t)
	orig := ownProcsFile()
	if orig == "" {
		t.Fatal("no cgroup.procs file found for this process")
	}
	var st primeState
	defer st.close()
	if !st.write() {
		t.Fatal("the first write failed")
	}
	dir := filepath.Join(filepath.Dir(orig), "crt-prime-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(dir, "cgroup.procs")
	t.Cleanup(func() {
		os.WriteFile(orig, []byte(strconv.Itoa(os.Getpid())), 0)
		testutil.WaitFor(t, 5*time.Second, "the test cgroup to be removed", func() bool {
			return os.Remove(dir) == nil
		})
	})
	if err := os.WriteFile(moved, []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		t.Fatal(err)
	}
	if !st.write() {
		t.Fatal("the write after the move failed")
	}
	if got := ownProcsFile(); got != moved {
		t.Fatalf("after a move to %s and a prime, this process is in %s", moved, got)
	}
	if st.procs == nil || st.procs.Name() != moved {
		t.Errorf("the loop writes to %v, want %s", st.procs, moved)
	}
}
