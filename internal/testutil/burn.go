package testutil

import (
	"runtime"
	"sync"
	"testing"
)

// BurnCPU keeps every CPU busy until the end of the test, so that races
// that need a loaded machine (a process descheduled between two polls)
// happen often. It is load, not a timing: nothing is measured.
func BurnCPU(t testing.TB) {
	t.Helper()
	stop := make(chan struct{})
	var burners sync.WaitGroup
	for range runtime.NumCPU() {
		burners.Add(1)
		go func() {
			defer burners.Done()
			for x := uint64(1); ; x = x*6364136223846793005 + 1 {
				if x&0xffff == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
			}
		}()
	}
	t.Cleanup(func() { close(stop); burners.Wait() })
}
