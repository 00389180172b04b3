package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// Regression tests for the lifecycle and stream bugs Docker users hit
// first: each drives the real daemon and CLI as Docker's users do.

// TestRunForegroundExitRecorded checks that once a foreground run
// returned, the container's exit is recorded: `run --name X IMG true;
// rm X` must never find X still running.
func TestRunForegroundExitRecorded(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for i := range 10 {
		name := fmt.Sprintf("fg%d", i)
		d.OK(t, "run", "--name", name, img, "true")
		if r := d.Run(t, "rm", name); r.Code != 0 {
			t.Fatalf("iteration %d: rm right after a foreground run: %v", i, r)
		}
	}
}

// TestKillThenRemove checks that kill (SIGKILL) returns once the
// container stopped, as Docker's does: `kill X; rm X` always works.
func TestKillThenRemove(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for i := range 10 {
		name := fmt.Sprintf("k%d", i)
		d.OK(t, "run", "-d", "--name", name, img, "sleep", "1000")
		d.OK(t, "kill", name)
		if r := d.Run(t, "rm", name); r.Code != 0 {
			t.Fatalf("iteration %d: rm right after kill: %v", i, r)
		}
	}
}

// patternReader yields size pseudo-random bytes (a fixed seed), so that a
// lost, duplicated or reordered chunk changes the checksum.
func patternReader(size int64) io.Reader {
	rng := rand.NewChaCha8([32]byte{7})
	return io.LimitReader(rng, size)
}

// slowWriter is a reader that keeps up with nothing: it pauses before
// every write it takes.
type slowWriter struct{ w io.Writer }

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return s.w.Write(p)
}

// pipeThrough runs the CLI with args, feeding it size bytes on stdin,
// and returns the sha256 of its stdout (read slowly with slow).
func pipeThrough(t *testing.T, d *daemon.Daemon, size int64, slow bool, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := d.Command(ctx, args...)
	h := sha256.New()
	var errBuf strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = patternReader(size), h, &errBuf
	if slow {
		cmd.Stdout = slowWriter{h}
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v with %d bytes of stdin did not end in 3 minutes; stderr: %s", args, size, errBuf.String())
	}
	if err != nil {
		t.Fatalf("%v with %d bytes of stdin: %v; stderr: %s", args, size, err, errBuf.String())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestStdinStreamsAnySize pipes 50 MB through cat in run -i and exec -i,
// and checks the output's checksum (also with a reader slower than the
// container), and that the end of our stdin closes the container's (wc
// -c prints the size).
func TestStdinStreamsAnySize(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	const size = 50 << 20
	h := sha256.New()
	io.Copy(h, patternReader(size))
	want := hex.EncodeToString(h.Sum(nil))

	for _, n := range []int64{300 << 10, 5 << 20, size} {
		r := d.Exec(3*time.Minute, patternReader(n), "run", "--rm", "-i", img, "wc", "-c")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != fmt.Sprint(n) {
			t.Fatalf("run -i wc -c with %d bytes: want %d; %v", n, n, r)
		}
	}
	if got := pipeThrough(t, d, size, false, "run", "--rm", "-i", img, "cat"); got != want {
		t.Errorf("run -i cat of %d bytes: sha256 %s, want %s", size, got, want)
	}
	// A reader slower than the container holds it back; nothing is lost.
	const slowSize = 20 << 20
	h = sha256.New()
	io.Copy(h, patternReader(slowSize))
	if got, want := pipeThrough(t, d, slowSize, true, "run", "--rm", "-i", img, "cat"), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("run -i cat of %d bytes to a slow reader: sha256 %s, want %s", slowSize, got, want)
	}

	d.OK(t, "run", "-d", "--name", "catter", img, "sleep", "1000")
	if got := pipeThrough(t, d, size, false, "exec", "-i", "catter", "cat"); got != want {
		t.Errorf("exec -i cat of %d bytes: sha256 %s, want %s", size, got, want)
	}
	if r := d.Exec(3*time.Minute, patternReader(size), "exec", "-i", "catter", "wc", "-c"); r.Code != 0 || strings.TrimSpace(r.Stdout) != fmt.Sprint(size) {
		t.Errorf("exec -i wc -c with %d bytes: want %d; %v", size, size, r)
	}
	d.OK(t, "rm", "-f", "catter")
}

// TestStopManyConcurrently stops 20 containers whose PID 1 ignores
// SIGTERM with one `stop -t 2`: the stops run concurrently, so all are
// stopped after about one timeout (the time is logged, not asserted).
func TestStopManyConcurrently(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	const n = 20
	names := make([]string, n)
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("deaf%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := d.Exec(daemon.CmdTimeout, nil, "run", "-d", "--name", names[i], img, "sh", "-c", "trap '' TERM; sleep 1000")
			if r.Code != 0 {
				errs[i] = r.String()
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Fatal(e)
		}
	}
	// Let the shells install their trap before the stop signal comes.
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	out := d.OK(t, append([]string{"stop", "-t", "2"}, names...)...)
	t.Logf("stop -t 2 of %d containers ignoring SIGTERM took %v", n, time.Since(start).Round(time.Millisecond))
	if got := strings.Fields(out); strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("stop printed %q, want the names in order %q", got, names)
	}
	for _, name := range names {
		if ci := d.Inspect(t, name); ci.StateDetail.Running {
			t.Errorf("%s still running after stop: %+v", name, ci.StateDetail)
		}
	}
	d.OK(t, append([]string{"rm"}, names...)...)
}

// TestRemoveForceAutoRemove removes running --rm containers with rm -f:
// the auto-removal that the kill triggers must not make rm -f fail.
func TestRemoveForceAutoRemove(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for i := range 20 {
		id := strings.TrimSpace(d.OK(t, "run", "-d", "--rm", img, "sleep", "100"))
		r := d.Run(t, "rm", "-f", id)
		if r.Code != 0 || r.Stderr != "" {
			t.Fatalf("iteration %d: rm -f of a running --rm container: %v", i, r)
		}
	}
	if out := d.OK(t, "ps", "-aq"); strings.TrimSpace(out) != "" {
		t.Errorf("containers left after rm -f: %q", out)
	}
}

// TestTerminalSizeAndTerm checks, under a real pty, that run -t applies
// the terminal's size before the process starts (stty size at once shows
// it) and that exec -t gives TERM=xterm, HOME and the size too.
func TestTerminalSizeAndTerm(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for i := range 5 {
		s := startPTY(t, d, 37, 91, "run", "-t", "--rm", img, "stty", "size")
		s.expect("37 91")
		if code := s.wait(); code != 0 {
			t.Fatalf("iteration %d: run -t stty size exited %d; terminal:\n%q", i, code, s.out.String())
		}
	}
	d.OK(t, "run", "-d", "--name", "ttyexec", img, "sleep", "1000")
	s := startPTY(t, d, 29, 83, "exec", "-t", "ttyexec", "sh", "-c", `stty size; echo "term=$TERM home=$HOME"`)
	s.expect("29 83")
	s.expect("term=xterm home=/root")
	if code := s.wait(); code != 0 {
		t.Errorf("exec -t exited %d; terminal:\n%q", code, s.out.String())
	}
	d.OK(t, "rm", "-f", "ttyexec")
}
