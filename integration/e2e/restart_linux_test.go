package e2e

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// alive reports whether a process exists.
func alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// logLines returns the number of lines `logs NAME` prints.
func logLines(t testing.TB, d *daemon.Daemon, name string) int {
	t.Helper()
	return strings.Count(d.OK(t, "logs", name), "\n")
}

// TestDaemonKill9 kills the daemon with kill -9 while containers run, lets
// one of them exit while no daemon is up, and starts a new daemon on the
// same directories: the running containers are listed, their logs keep
// growing, they can be stopped, the exit that happened meanwhile is
// recorded, and once they are removed nothing is left.
func TestDaemonKill9(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	d.OK(t, "run", "-d", "--name", "sleeper", img, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "ticker", img, "sh", "-c",
		`i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done`)
	d.OK(t, "run", "-d", "--name", "short", img, "sh", "-c", "sleep 2; exit 7")
	if !testutil.Eventually(30*time.Second, func() bool { return logLines(t, d, "ticker") >= 3 }) {
		t.Fatalf("ticker printed nothing: %v", d.Run(t, "logs", "ticker"))
	}
	pids := map[string]int{}
	for _, name := range []string{"sleeper", "ticker", "short"} {
		ci := d.Inspect(t, name)
		if !ci.StateDetail.Running || ci.StateDetail.Pid <= 0 {
			t.Fatalf("%s is not running before the kill: %+v", name, ci.StateDetail)
		}
		pids[name] = ci.StateDetail.Pid
	}
	logPath := d.Inspect(t, "ticker").LogPath

	d.Kill9(t)
	for name, pid := range pids {
		if name != "short" && !alive(pid) {
			t.Errorf("%s (pid %d) died with the daemon", name, pid)
		}
	}
	// short exits (7) while no daemon runs.
	if !testutil.Eventually(30*time.Second, func() bool { return !alive(pids["short"]) }) {
		t.Fatalf("short (pid %d) did not exit by itself", pids["short"])
	}
	// The monitor keeps writing ticker's log with no daemon up.
	size := func() int64 {
		fi, err := os.Stat(logPath)
		if err != nil {
			t.Fatalf("ticker's log file: %v", err)
		}
		return fi.Size()
	}
	s0 := size()
	if !testutil.Eventually(10*time.Second, func() bool { return size() > s0 }) {
		t.Errorf("ticker's log file %s did not grow while the daemon was down", logPath)
	}

	d.Start(t)
	out := d.OK(t, "ps")
	for _, name := range []string{"sleeper", "ticker"} {
		if !regexp.MustCompile(`(?m)\s` + name + `$`).MatchString(out) {
			t.Errorf("ps after the restart does not list %s:\n%s", name, out)
		}
		if ci := d.Inspect(t, name); !ci.StateDetail.Running || ci.StateDetail.Pid != pids[name] {
			t.Errorf("%s after the restart: %+v, want running as pid %d", name, ci.StateDetail, pids[name])
		}
	}
	if strings.Contains(out, "short") {
		t.Errorf("ps lists short, which exited while the daemon was down:\n%s", out)
	}
	ci := d.Inspect(t, "short")
	if ci.StateDetail.Running || ci.StateDetail.ExitCode != 7 {
		t.Errorf("short after the restart: %+v, want exited with code 7", ci.StateDetail)
	}
	if r := d.Run(t, "wait", "short"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "7" {
		t.Errorf("wait short: want 7\n%v", r)
	}

	// The logs continue: the lines written while the daemon was down are
	// there, and new ones keep coming.
	n := logLines(t, d, "ticker")
	if !testutil.Eventually(30*time.Second, func() bool { return logLines(t, d, "ticker") > n+3 }) {
		t.Errorf("ticker's log stopped growing after the restart at %d lines", n)
	}
	// A client attaching after the restart gets the live stream.
	att := d.Background(t, "attach", "--no-stdin", "ticker")
	if !testutil.Eventually(30*time.Second, func() bool { return strings.Count(att.Stdout(), "tick ") >= 3 }) {
		t.Errorf("attach after the restart shows no new output: %q %q", att.Stdout(), att.Stderr())
	}
	logs := d.OK(t, "logs", "ticker")
	if !sequential(logs) {
		t.Errorf("ticker's log has gaps or repeats across the restart:\n%s", logs)
	}

	for _, name := range []string{"sleeper", "ticker"} {
		d.OK(t, "stop", "-t", "1", name)
		if ci := d.Inspect(t, name); ci.StateDetail.Running {
			t.Errorf("%s still running after stop: %+v", name, ci.StateDetail)
		}
		if alive(pids[name]) {
			t.Errorf("%s's process %d outlived stop", name, pids[name])
		}
	}
	// attach ends with the container, with its code.
	if r := att.Wait(30 * time.Second); r.Code != 137 {
		t.Errorf("attach to ticker when it was stopped: want exit 137\n%v", r)
	}
	d.OK(t, "rm", "sleeper", "ticker", "short")
	if leaks := d.SettledLeaks(); len(leaks) > 0 {
		t.Errorf("left after the containers were removed:\n%s\ndaemon log:\n%s", strings.Join(leaks, "\n"), d.Log())
	}
}

// sequential reports whether text is the lines "tick 0", "tick 1", ... in
// order with none missing.
func sequential(text string) bool {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		if l != fmt.Sprintf("tick %d", i) {
			return false
		}
	}
	return len(lines) > 0
}
