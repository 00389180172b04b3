package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// manyTimeout bounds one command of the concurrency tests: 50 containers
// at once on two cores take a while.
const manyTimeout = 5 * time.Minute

// TestManyClients has 50 clients at once each run a container with --rm:
// every one succeeds with its own output, and nothing is left afterwards.
func TestManyClients(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	const n = 50
	results := make([]daemon.Result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = d.Exec(manyTimeout, nil, "run", "--rm", "--name", fmt.Sprintf("many%d", i),
				img, "sh", "-c", fmt.Sprintf("echo hello-%d", i))
		})
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if want := fmt.Sprintf("hello-%d\n", i); r.Code != 0 || r.Stdout != want {
			t.Errorf("client %d: want exit 0 and %q\n%v", i, want, r)
		}
	}
	if out := d.OK(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after --rm:\n%s", out)
	}
	if got := len(d.KnownIDs()); got != n {
		t.Errorf("saw %d create events, want %d", got, n)
	}
	// --rm removed everything while the daemon runs, not only at its
	// shutdown (which the cleanup checks again).
	if leaks := d.SettledLeaks(); len(leaks) > 0 {
		t.Errorf("left after every --rm container ended:\n%s", strings.Join(leaks, "\n"))
	}
}

// TestSameNameRace has 10 clients create a container with one name at the
// same moment: exactly one wins, the others fail with a conflict.
func TestSameNameRace(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	const n = 10
	results := make([]daemon.Result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = d.Exec(manyTimeout, nil, "create", "--name", "same", img, "sleep", "60")
		})
	}
	close(start)
	wg.Wait()
	var winners int
	for _, r := range results {
		switch {
		case r.Code == 0:
			winners++
		case r.Code < 0:
			t.Errorf("a create did not end: %v", r)
		case !strings.Contains(r.Stderr, "already in use") && !strings.Contains(r.Stderr, "conflict"):
			t.Errorf("a losing create failed without a conflict message: %v", r)
		}
	}
	if winners != 1 {
		t.Errorf("%d creates of one name succeeded, want exactly 1", winners)
	}
	if out := d.OK(t, "ps", "-a", "--format", "{{.Name}}"); out != "same\n" {
		t.Errorf("ps -a lists %q, want the one container named same", out)
	}
}
