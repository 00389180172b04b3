package container

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startProbeProcess starts sh -c script with its stdout and stderr into a
// probe pipe, as a check's process, and returns the pipe's read end and
// the PID (our child, reaped by readProbe).
func startProbeProcess(t *testing.T, script string) (*os.File, int) {
	t.Helper()
	rd, wr, err := probePipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", script}, &os.ProcAttr{Files: []*os.File{nil, wr, wr}})
	wr.Close()
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Pid
	p.Release()
	return rd, pid
}

func TestReadProbe(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		timeout  time.Duration
		code     int
		timedOut bool
		out      string
	}{
		{"exit code and both streams", "echo out; echo err >&2; exit 3", time.Minute, 3, false, "out\nerr\n"},
		{"output past the limit", "yes 0123456789 | head -c 100000", time.Minute, 0, false, strings.Repeat("0123456789\n", 400)[:maxHealthOutput] + "..."},
		{"closed output, still running", "exec >&- 2>&-; sleep 0.2; exit 4", time.Minute, 4, false, ""},
		{"timeout", "echo before; exec sleep 600", 200 * time.Millisecond, 128 + 9, true, "before\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, pid := startProbeProcess(t, tt.script)
			var out limitedBuffer
			code, timedOut, err := readProbe(t.Context(), rd, &out, pid, tt.timeout)
			if err != nil || code != tt.code || timedOut != tt.timedOut || out.String() != tt.out {
				t.Errorf("readProbe = %d, timed out %v, %v, output %q; want %d, %v, output %q",
					code, timedOut, err, out.String(), tt.code, tt.timedOut, tt.out)
			}
		})
	}
}

// TestReadProbeBackgroundHolder checks that a process the check left in
// the background, holding the pipe, does not hold the check: it ends with
// its own process, not at the timeout.
func TestReadProbeBackgroundHolder(t *testing.T) {
	rd, pid := startProbeProcess(t, "sleep 600 & echo $!")
	var out limitedBuffer
	code, timedOut, err := readProbe(t.Context(), rd, &out, pid, time.Hour)
	bg, perr := strconv.Atoi(strings.TrimSpace(out.String()))
	if perr == nil {
		syscall.Kill(bg, syscall.SIGKILL)
	}
	if err != nil || code != 0 || timedOut || perr != nil {
		t.Errorf("readProbe = %d, timed out %v, %v, output %q; want 0 and the PID left in the background", code, timedOut, err, out.String())
	}
}

// TestReadProbeCanceled checks that a check in flight ends, its process
// killed and reaped, when its run is stopped.
func TestReadProbeCanceled(t *testing.T) {
	rd, pid := startProbeProcess(t, "exec sleep 600")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	code, timedOut, err := readProbe(ctx, rd, &limitedBuffer{}, pid, time.Hour)
	if err != nil || timedOut || code != 128+9 {
		t.Errorf("readProbe after cancel = %d, timed out %v, %v; want killed (137), not timed out", code, timedOut, err)
	}
}
