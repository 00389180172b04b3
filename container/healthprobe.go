package container

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// A check's output and its end are read by one goroutine, the check's
// own: its output until EOF, which comes when the process exits (it, and
// whatever it started, closed the pipe), then its exit status, most often
// there already. A second goroutine copying the output while the first
// waited on the process cost a goroutine start, another thread woken to
// run it, and twice the parking and waking per check, which was most of
// the scheduler's share of a check's cost in the daemon.

// probePipe makes the pipe of a check's output: the read end in Go's
// poller, the write end (the process's stdout and stderr) blocking and
// outside it.
func probePipe() (rd, wr *os.File, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, nil, err
	}
	return os.NewFile(uintptr(p[0]), "health-output"), os.NewFile(uintptr(p[1]), "health-output"), nil
}

// readProbe reads the output of the check's process pid (our child) from
// rd into out until EOF, then waits for the process and reaps it,
// returning its exit code. Past timeout, or when ctx ends, it kills the
// process first (timedOut tells the first). When the process has exited
// but something it left in the background still holds the pipe, the
// output is read for probeDrain more, at most.
func readProbe(ctx context.Context, rd *os.File, out io.Writer, pid int, timeout time.Duration) (code int, timedOut bool, err error) {
	deadline := time.Now().Add(timeout)
	stop := context.AfterFunc(ctx, func() { rd.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var (
		buf      [4096]byte
		reaped   bool
		drainEnd time.Time
	)
	for {
		// Wake at least every probeDrain to see whether the process
		// exited while the pipe stays open.
		wake := time.Now().Add(probeDrain)
		if !reaped && deadline.Before(wake) {
			wake = deadline
		}
		if reaped && drainEnd.Before(wake) {
			wake = drainEnd
		}
		if ctx.Err() != nil {
			wake = time.Unix(1, 0)
		}
		rd.SetReadDeadline(wake)
		n, rerr := rd.Read(buf[:])
		out.Write(buf[:n])
		switch {
		case rerr == nil:
			continue
		case errors.Is(rerr, os.ErrDeadlineExceeded):
		default: // EOF, or a broken pipe: the output is over
			if reaped {
				return code, false, err
			}
			// Most often the process has exited already.
			if code, done, err := reapNoHang(pid); err != nil || done {
				return code, false, err
			}
			return waitProbe(ctx, pid, time.Until(deadline))
		}
		if reaped {
			// The process's status is in; only the drain is left.
			if ctx.Err() != nil || !time.Now().Before(drainEnd) {
				return code, false, err
			}
			continue
		}
		if ctx.Err() != nil || !time.Now().Before(deadline) {
			unix.Kill(pid, unix.SIGKILL)
			code, err = reap(pid, 0)
			return code, ctx.Err() == nil, err
		}
		var done bool
		if code, done, err = reapNoHang(pid); err != nil {
			return code, false, err
		} else if done {
			reaped, drainEnd = true, time.Now().Add(probeDrain)
		}
	}
}
