package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestStopIgnoringSIGTERM stops a container whose shell ignores SIGTERM,
// with a 2 second timeout: it is killed with SIGKILL (exit 137).
func TestStopIgnoringSIGTERM(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	// --init: PID 1 is the init, which forwards SIGTERM to the shell; the
	// shell's trap is what ignores it (without --init, PID 1 of a pid
	// namespace ignores SIGTERM anyway, which would prove less).
	d.OK(t, "run", "-d", "--init", "--name", "stubborn", img, "sh", "-c",
		`trap '' TERM; echo ready; while true; do sleep 1; done`)
	if !testutil.Eventually(30*time.Second, func() bool { return strings.Contains(d.Run(t, "logs", "stubborn").Stdout, "ready") }) {
		t.Fatalf("stubborn did not start: %v", d.Run(t, "logs", "stubborn"))
	}
	pid := d.Inspect(t, "stubborn").StateDetail.Pid
	if out := d.OK(t, "stop", "-t", "2", "stubborn"); strings.TrimSpace(out) != "stubborn" {
		t.Errorf("stop printed %q, want the name", out)
	}
	ci := d.Inspect(t, "stubborn")
	if ci.StateDetail.Running || ci.StateDetail.ExitCode != 137 {
		t.Errorf("after stop -t 2: %+v, want exited with 137 (SIGKILL)", ci.StateDetail)
	}
	if alive(pid) {
		t.Errorf("the container's process %d outlived stop", pid)
	}
	if r := d.Run(t, "wait", "stubborn"); strings.TrimSpace(r.Stdout) != "137" {
		t.Errorf("wait: want 137\n%v", r)
	}
}
