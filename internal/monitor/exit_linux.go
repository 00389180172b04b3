package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Exit is a container's exit as the monitor recorded it in exit.json.
type Exit struct {
	// Pid is the container init's PID.
	Pid int `json:"pid"`
	// ExitCode is the exit status, or 128+n after a death by signal n.
	ExitCode int `json:"exitCode"`
	// Signal is the signal that killed the init, or 0.
	Signal int `json:"signal"`
	// Time is when the monitor reaped the init.
	Time time.Time `json:"time"`
}

// ReadExit reads the exit recorded in dir. It returns an error wrapping
// errdefs.ErrNotFound until the container has exited.
func ReadExit(dir string) (*Exit, error) {
	p := filepath.Join(dir, "exit.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: the container has not exited: %w", p, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	var e Exit
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", p, err)
	}
	return &e, nil
}

// WaitExit blocks until the monitor with PID monitorPid, watching the
// container whose runtime dir is dir, has recorded its exit, and returns
// it. It works for monitors that a previous daemon started too. If the
// monitor is gone without recording an exit, the error wraps
// errdefs.ErrUnavailable.
func WaitExit(ctx context.Context, dir string, monitorPid int) (*Exit, error) {
	if e, err := ReadExit(dir); !errors.Is(err, errdefs.ErrNotFound) {
		return e, err
	}
	fd, err := unix.PidfdOpen(monitorPid, unix.PIDFD_NONBLOCK)
	if err == nil {
		// The pidfd pins the process, not the PID: check that it is
		// the monitor of dir and not a later process that reuses its
		// PID. An exited monitor (a zombie) shows an empty cmdline.
		f := os.NewFile(uintptr(fd), "monitor-pidfd")
		defer f.Close()
		if isMonitorOf(monitorPid, dir) {
			if err := waitReadable(ctx, f); err != nil {
				return nil, fmt.Errorf("waiting for the exit of the container in %s: %w", dir, err)
			}
		}
	} else if err != unix.ESRCH {
		return nil, fmt.Errorf("pidfd_open of monitor %d: %w", monitorPid, err)
	}
	e, err := ReadExit(dir)
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil, fmt.Errorf("monitor %d of %s exited without recording the container's exit: %w", monitorPid, dir, errdefs.ErrUnavailable)
	}
	return e, err
}

// isMonitorOf tells whether pid runs a monitor started for dir.
func isMonitorOf(pid int, dir string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Equal(b, []byte(procName+"\x00"+dir+"\x00"))
}

// waitReadable waits, in the netpoller, until the pidfd f is readable
// (its process exited) or ctx ends.
func waitReadable(ctx context.Context, f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	err = rc.Read(func(fd uintptr) bool {
		// Ask the pidfd itself: the netpoller's wakeups only say
		// when to ask again.
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, _ := unix.Poll(fds, 0)
		return n > 0
	})
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
