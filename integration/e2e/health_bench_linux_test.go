package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// daemonCPU is the CPU time the daemon's threads have used (the sum of
// /proc/PID/task/*/schedstat), which excludes its children: a check's
// process (namespace stage, exec stage, the command) is not counted.
func daemonCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(stats) == 0 {
		tb.Fatalf("reading the daemon's threads: %v", err)
	}
	var total time.Duration
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // a thread that just exited
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
		total += time.Duration(ns)
	}
	return total
}

// BenchmarkHealthCheckDaemonCPU measures the daemon's CPU time per health
// check beyond the check's own processes: a container's check (`echo >>
// /tmp/n`) runs every 20ms; each iteration is one check, counted by the
// lines it wrote; the daemon's CPU over the same time with an idle
// container and no check is subtracted. The container's health executor
// (internal/healthexec), which runs the checks, is measured the same way
// (its own CPU, its children excluded) and reported beside it: the
// engine's cost of a check is the sum. Run with -benchtime=200x:
//
//	go test -run '^$' -bench HealthCheckDaemonCPU -benchtime=200x ./integration/e2e
func BenchmarkHealthCheckDaemonCPU(b *testing.B) {
	d := daemon.New(b)
	bb := d.Busybox(b)
	d.OK(b, "run", "-d", "--name", "idle", bb, "sleep", "1000")
	time.Sleep(time.Second)
	idleFrom, idleStart := daemonCPU(b, d.Pid()), time.Now()
	time.Sleep(5 * time.Second)
	idlePerSec := float64(daemonCPU(b, d.Pid())-idleFrom) / time.Since(idleStart).Seconds()

	d.OK(b, "run", "-d", "--name", "hc", "--health-cmd", "echo >> /tmp/n", "--health-interval", "20ms", bb, "sleep", "1000")
	checks := func() int {
		n, _ := strconv.Atoi(strings.TrimSpace(d.Run(b, "exec", "hc", "sh", "-c", "cat /tmp/n 2>/dev/null | wc -l").Stdout))
		return n
	}
	testutil.WaitFor(b, healthWait, "the first check", func() bool { return checks() > 0 })
	executor := healthExecutor(b, d.Inspect(b, "hc").ID)
	// Counting by exec costs the daemon too; count once at each end.
	from, cpuFrom, start := checks(), daemonCPU(b, d.Pid()), time.Now()
	execFrom := daemonCPU(b, executor)
	b.ResetTimer()
	expect := from + b.N
	for checks() < expect {
		time.Sleep(time.Duration(b.N) * 20 * time.Millisecond / 4)
	}
	b.StopTimer()
	cpu, elapsed, execCPU := daemonCPU(b, d.Pid())-cpuFrom, time.Since(start), daemonCPU(b, executor)-execFrom
	n := checks() - from
	// Each count above was an exec through the CLI and the API: measure
	// one and subtract them.
	oneFrom := daemonCPU(b, d.Pid())
	checks()
	counting := daemonCPU(b, d.Pid()) - oneFrom
	rounds := 2 + int(elapsed/(time.Duration(b.N)*20*time.Millisecond/4))
	net := float64(cpu) - idlePerSec*elapsed.Seconds() - float64(counting)*float64(rounds)
	b.ReportMetric(net/float64(n)/1e6, "daemon-cpu-ms/check")
	b.ReportMetric(float64(execCPU)/float64(n)/1e6, "executor-cpu-ms/check")
	b.ReportMetric(float64(n), "checks")
	d.OK(b, "rm", "-f", "idle", "hc")
}

// healthExecutor is the PID of container id's health executor (argv[0]
// container-runtime-healthexec, argv[1] the container's ID).
func healthExecutor(tb testing.TB, id string) int {
	tb.Helper()
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		b, err := os.ReadFile(p)
		if err == nil && string(b) == "container-runtime-healthexec\x00"+id+"\x00" {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	tb.Fatalf("no health executor for %s", id)
	return 0
}
