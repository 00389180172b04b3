package security

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestShortLivedStartsUnderLoad is the end-to-end regression test of
// "init process exited before start" (8 in 10,400 operations under load):
// a container whose program is acknowledged, executed and gone while the
// start path waited between two polls of the exec fifo was reported as
// never started. 200 `run --rm busybox true` from 4 clients at once,
// with every CPU kept busy, must all exit 0. The runtime package's
// TestStartShortLivedUnderLoad makes the race frequent; this one checks
// the daemon's start through the monitor.
func TestShortLivedStartsUnderLoad(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)

	testutil.BurnCPU(t)

	const runs, clients = 200, 4
	jobs := make(chan int)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := d.Exec(2*time.Minute, nil, "run", "--rm", "--network", "none", img, "true")
				if r.Code != 0 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("run %d: %v", i, r))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range runs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d of %d runs of true failed; the first:\n%s", len(failures), runs, failures[0])
	}
}
