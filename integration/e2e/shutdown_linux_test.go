package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestGracefulShutdown stops the daemon with SIGTERM while clients hold
// endless streams (events, logs -f, attach to a quiet container, wait,
// trace): the streams end, the daemon exits 0 well before its shutdown
// timeout, the containers keep running, and the next daemon adopts them.
func TestGracefulShutdown(t *testing.T) {
	// A shutdown timeout far beyond the wait below: the daemon must not
	// need it.
	d := daemon.New(t, "--shutdown-timeout", "10m")
	img := d.Busybox(t)
	d.OK(t, "run", "-d", "--name", "quiet", img, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "chatty", img, "sh", "-c", "while true; do echo x; sleep 0.2; done")
	pids := map[string]int{}
	for _, name := range []string{"quiet", "chatty"} {
		pids[name] = d.Inspect(t, name).StateDetail.Pid
	}
	streams := map[string]*daemon.Cmd{
		"events":   d.Background(t, "events"),
		"logs -f":  d.Background(t, "logs", "-f", "chatty"),
		"attach":   d.Background(t, "attach", "--no-stdin", "quiet"),
		"wait":     d.Background(t, "wait", "quiet"),
		"attach 2": d.Background(t, "attach", "--no-stdin", "chatty"),
	}
	if testutil.Eventually(30*time.Second, func() bool { return strings.Contains(streams["attach 2"].Stdout(), "x\n") }) == false {
		t.Fatalf("attach to chatty shows nothing")
	}
	time.Sleep(500 * time.Millisecond) // the other streams are in place

	state, err := d.Terminate(2 * time.Minute)
	if err != nil {
		t.Fatalf("%v: streams held it\n%s", err, d.Log())
	}
	if !state.Success() {
		t.Errorf("the daemon exited with %v:\n%s", state, d.Log())
	}
	for name, b := range streams {
		if r := b.Wait(30 * time.Second); r.TimedOut {
			t.Errorf("%s did not end with the daemon", name)
		}
	}
	for name, pid := range pids {
		if !alive(pid) {
			t.Errorf("%s (pid %d) died with the daemon's shutdown", name, pid)
		}
	}
	d.Start(t)
	for name, pid := range pids {
		if ci := d.Inspect(t, name); !ci.StateDetail.Running || ci.StateDetail.Pid != pid {
			t.Errorf("%s after the restart: %+v, want running as pid %d", name, ci.StateDetail, pid)
		}
	}
}
