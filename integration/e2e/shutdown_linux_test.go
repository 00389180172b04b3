package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown stops the daemon with SIGTERM while clients hold
// endless streams (events, logs -f, attach to a quiet container, wait,
// trace): the streams end, the daemon exits 0 well before its shutdown
// timeout, the containers keep running, and the next daemon adopts them.
func TestGracefulShutdown(t *testing.T) {
	// A shutdown timeout far beyond the wait below: the daemon must not
	// need it.
	d := newDaemonWith(t, "--shutdown-timeout", "10m")
	img := busybox(t, d)
	d.ok(t, "run", "-d", "--name", "quiet", img, "sleep", "1000")
	d.ok(t, "run", "-d", "--name", "chatty", img, "sh", "-c", "while true; do echo x; sleep 0.2; done")
	pids := map[string]int{}
	for _, name := range []string{"quiet", "chatty"} {
		pids[name] = d.inspect(t, name).StateDetail.Pid
	}
	streams := map[string]*bgCommand{
		"events":   d.background(t, "events"),
		"logs -f":  d.background(t, "logs", "-f", "chatty"),
		"attach":   d.background(t, "attach", "--no-stdin", "quiet"),
		"wait":     d.background(t, "wait", "quiet"),
		"attach 2": d.background(t, "attach", "--no-stdin", "chatty"),
	}
	if waitFor(30*time.Second, func() bool { return strings.Contains(streams["attach 2"].stdout.String(), "x\n") }) == false {
		t.Fatalf("attach to chatty shows nothing")
	}
	time.Sleep(500 * time.Millisecond) // the other streams are in place

	d.stopEvents()
	if err := d.proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
		if !d.proc.ProcessState.Success() {
			t.Errorf("the daemon exited with %v:\n%s", d.proc.ProcessState, d.log())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the daemon still runs 2 minutes after SIGTERM: streams held it\n%s", d.log())
	}
	for name, b := range streams {
		if r := b.wait(30 * time.Second); r.timedOut {
			t.Errorf("%s did not end with the daemon", name)
		}
	}
	for name, pid := range pids {
		if !alive(pid) {
			t.Errorf("%s (pid %d) died with the daemon's shutdown", name, pid)
		}
	}
	d.start(t)
	for name, pid := range pids {
		if ci := d.inspect(t, name); !ci.StateDetail.Running || ci.StateDetail.Pid != pid {
			t.Errorf("%s after the restart: %+v, want running as pid %d", name, ci.StateDetail, pid)
		}
	}
}
