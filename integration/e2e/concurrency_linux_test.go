package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// manyTimeout bounds one command of the concurrency tests: 50 containers
// at once on two cores take a while.
const manyTimeout = 5 * time.Minute

// TestManyClients has 50 clients at once each run a container with --rm:
// every one succeeds with its own output, and nothing is left afterwards.
func TestManyClients(t *testing.T) {
	d := newDaemon(t)
	img := busybox(t, d)
	const n = 50
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = d.exec(manyTimeout, nil, "run", "--rm", "--name", fmt.Sprintf("many%d", i),
				img, "sh", "-c", fmt.Sprintf("echo hello-%d", i))
		})
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if want := fmt.Sprintf("hello-%d\n", i); r.code != 0 || r.stdout != want {
			t.Errorf("client %d: want exit 0 and %q\n%v", i, want, r)
		}
	}
	if out := d.ok(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after --rm:\n%s", out)
	}
	if got := len(d.knownIDs()); got != n {
		t.Errorf("saw %d create events, want %d", got, n)
	}
	// --rm removed everything while the daemon runs, not only at its
	// shutdown (which the cleanup checks again).
	if leaks := d.settledLeaks(); len(leaks) > 0 {
		t.Errorf("left after every --rm container ended:\n%s", strings.Join(leaks, "\n"))
	}
}

// TestSameNameRace has 10 clients create a container with one name at the
// same moment: exactly one wins, the others fail with a conflict.
func TestSameNameRace(t *testing.T) {
	d := newDaemon(t)
	img := busybox(t, d)
	const n = 10
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = d.exec(manyTimeout, nil, "create", "--name", "same", img, "sleep", "60")
		})
	}
	close(start)
	wg.Wait()
	var winners int
	for _, r := range results {
		switch {
		case r.code == 0:
			winners++
		case r.code < 0:
			t.Errorf("a create did not end: %v", r)
		case !strings.Contains(r.stderr, "already in use") && !strings.Contains(r.stderr, "conflict"):
			t.Errorf("a losing create failed without a conflict message: %v", r)
		}
	}
	if winners != 1 {
		t.Errorf("%d creates of one name succeeded, want exactly 1", winners)
	}
	if out := d.ok(t, "ps", "-a", "--format", "{{.Name}}"); out != "same\n" {
		t.Errorf("ps -a lists %q, want the one container named same", out)
	}
}
