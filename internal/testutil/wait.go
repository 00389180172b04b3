package testutil

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// pollInterval is how often Eventually and WaitFor check their condition.
const pollInterval = 50 * time.Millisecond

// Eventually checks cond every 50 ms until it is true or timeout passes,
// and reports whether it became true. It never fails a test, so it is safe
// from any goroutine.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}

// WaitFor waits, as Eventually does, until cond is true, and fails the
// test if it is not within timeout; what names the awaited state in the
// message ("the container to print ready").
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("waited %v for %s: it did not happen", timeout, what)
	}
}

// SyncBuffer is a bytes.Buffer safe for one writer and many readers: the
// output of a command still running, read while it runs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
