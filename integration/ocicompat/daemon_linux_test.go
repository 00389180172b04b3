package ocicompat

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// daemon is a long-running peer process the test started (containerd,
// dockerd), with its output in a log file.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when cmd.Wait returned
}

// startDaemon starts name with args, its stdout and stderr going to
// logDir/name.log.
func startDaemon(t testing.TB, logDir, name string, args ...string) *daemon {
	t.Helper()
	logPath := filepath.Join(logDir, filepath.Base(name)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("creating %s: %v", logPath, err)
	}
	defer logFile.Close()
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	d := &daemon{name: filepath.Base(name), cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(d.done)
	}()
	return d
}

// exited reports whether the daemon has ended.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// waitReady polls ready until it holds, failing with the daemon's log
// when the daemon dies or timeout passes first.
func (d *daemon) waitReady(t testing.TB, timeout time.Duration, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ready() {
		if d.exited() {
			t.Fatalf("%s exited while starting: %v\n%s", d.name, d.cmd.ProcessState, tail(d.log, 30))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within %v:\n%s", d.name, timeout, tail(d.log, 30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the daemon by its PID: SIGTERM, then SIGKILL when it has not
// exited after grace. It reports whether the daemon ended on SIGTERM.
func (d *daemon) stop(t testing.TB, grace time.Duration) bool {
	t.Helper()
	if d.exited() {
		t.Errorf("%s exited before the test stopped it: %v\n%s", d.name, d.cmd.ProcessState, tail(d.log, 30))
		return true
	}
	_ = unix.Kill(d.cmd.Process.Pid, unix.SIGTERM)
	select {
	case <-d.done:
		return true
	case <-time.After(grace):
	}
	t.Errorf("%s (pid %d) did not exit %v after SIGTERM; killing it\n%s", d.name, d.cmd.Process.Pid, grace, tail(d.log, 30))
	_ = unix.Kill(d.cmd.Process.Pid, unix.SIGKILL)
	<-d.done
	return false
}
