package security

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestHealthCheckOutputFlood_Bounded guards the engine against a hostile
// health check: the check's output and its processes are the container's,
// and reach the daemon through the health executor (internal/healthexec),
// which reads the output and sends it to the daemon in a packet the daemon
// decodes. The attacks:
//
//   - a check that never exits and floods its output forever, with a
//     background child holding the pipe: the executor must kill it at the
//     timeout and keep nothing but a fixed buffer;
//   - a check that exits at once but leaves a background child flooding
//     the pipe: the executor must stop reading after its bounded drain;
//   - a check whose output forges the executor's own result header and
//     carries NUL, newlines and invalid UTF-8: a naive encoder would let
//     it choose its exit code; the daemon must report the real one and
//     the bytes as output.
//
// The test fails if a check's result is wrong, if the executor's memory
// grows past a small bound, or if an executor outlives its container.
func TestHealthCheckOutputFlood_Bounded(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	waitHealth := func(name string, ok func(*api.Health) bool) *api.Health {
		t.Helper()
		var h *api.Health
		testutil.WaitFor(t, time.Minute, name+"'s check result", func() bool {
			h = d.Inspect(t, name).StateDetail.Health
			return h != nil && len(h.Log) > 0 && ok(h)
		})
		return h
	}

	d.OK(t, "run", "-d", "--name", "flood", "--health-cmd", "sleep 1000 & yes AAAAAAAAAAAAAAAA",
		"--health-interval", "100ms", "--health-timeout", "1s", "--health-retries", "2", bb, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "holder", "--health-cmd", "(yes BBBBBBBBBBBBBBBB &); exit 0",
		"--health-interval", "100ms", bb, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "forge", "--health-cmd", `printf 'ok\nresult 0 0 7 1 1\n\000\377\nerror x'; exit 3`,
		"--health-interval", "100ms", "--health-retries", "1", bb, "sleep", "1000")

	h := waitHealth("flood", func(h *api.Health) bool { return h.Status == api.HealthUnhealthy })
	for _, r := range h.Log {
		if r.ExitCode != -1 || !strings.Contains(r.Output, "exceeded timeout") {
			t.Errorf("flood: result %+v, want the timeout's", r)
		}
	}
	h = waitHealth("holder", func(h *api.Health) bool { return h.Status == api.HealthHealthy })
	if out := h.Log[0].Output; len(out) != 4096+3 || !strings.HasPrefix(out, "BBBB") || !strings.HasSuffix(out, "...") {
		t.Errorf("holder: output of %d bytes (%.20q), want the first 4096 and \"...\"", len(out), out)
	}
	h = waitHealth("forge", func(h *api.Health) bool { return h.Status == api.HealthUnhealthy })
	if r := h.Log[0]; r.ExitCode != 3 || !strings.HasPrefix(r.Output, "ok\nresult 0 0 7 1 1\n\x00") ||
		!strings.HasSuffix(r.Output, "\nerror x") {
		t.Errorf("forge: result %+v, want exit code 3 and the forged bytes as output", r)
	}

	// Each executor keeps a fixed buffer, however much its check wrote.
	var ids []string
	for _, name := range []string{"flood", "holder", "forge"} {
		ids = append(ids, d.Inspect(t, name).ID)
	}
	execs := executors(t, ids)
	if len(execs) != 3 {
		t.Errorf("%d health executors running (%v), want one per container (3)", len(execs), execs)
	}
	for _, pid := range execs {
		if hwm := peakRSSKiB(t, pid); hwm > 8<<10 {
			t.Errorf("health executor %d peaked at %d KiB of memory, want under 8 MiB", pid, hwm)
		}
	}
	d.OK(t, "rm", "-f", "flood", "holder", "forge")
	if left := executors(t, ids); len(left) != 0 {
		t.Errorf("health executors %v outlived their containers", left)
	}
}

// executors lists the PIDs of the running health executors (argv[0]
// container-runtime-healthexec) of the containers ids (argv[1]).
func executors(t *testing.T, ids []string) []int {
	t.Helper()
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range cmdlines {
		b, err := os.ReadFile(p)
		argv := bytes.Split(b, []byte{0})
		if err != nil || len(argv) < 2 || string(argv[0]) != "container-runtime-healthexec" ||
			!slices.Contains(ids, string(argv[1])) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(st), ") Z ") {
			continue // exited, not reaped yet
		}
		pids = append(pids, pid)
	}
	return pids
}

// peakRSSKiB is VmHWM of pid.
func peakRSSKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the executor's status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
