package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The real-time signal range as glibc presents it to users (kill -l): the
// kernel's 32 and 33 are taken by the C library's threads.
const (
	sigRTMin = 34
	sigRTMax = 64
)

// parseSignal reads a signal as runc's kill does: a number ("9"), a name
// with or without the SIG prefix ("KILL", "SIGKILL", "kill"), or a
// real-time signal relative to its range ("RTMIN+3", "SIGRTMAX-1").
func parseSignal(s string) (unix.Signal, error) {
	bad := func() (unix.Signal, error) {
		return 0, fmt.Errorf("signal %q is not a signal name or number: %w", s, errdefs.ErrInvalidArgument)
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > sigRTMax {
			return bad()
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	base, offset, sign := name, 0, 1
	if i := strings.IndexAny(name, "+-"); i > 0 {
		n, err := strconv.Atoi(name[i+1:])
		if err != nil || n < 0 {
			return bad()
		}
		if name[i] == '-' {
			sign = -1
		}
		base, offset = name[:i], n*sign
	}
	var n int
	switch base {
	case "SIGRTMIN":
		n = sigRTMin + offset
	case "SIGRTMAX":
		n = sigRTMax + offset
	default:
		return bad()
	}
	if n < sigRTMin || n > sigRTMax {
		return bad()
	}
	return unix.Signal(n), nil
}

// forwardedSignals are relayed from run and exec to the container
// process, as runc does. SIGCHLD, SIGPIPE and SIGURG (the Go scheduler's
// preemption signal) concern us only; the job-control signals SIGTSTP,
// SIGTTIN and SIGTTOU keep their default effect on us. SIGWINCH resizes
// the pty instead.
func forwardedSignals() []unix.Signal {
	return []unix.Signal{
		unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1,
		unix.SIGUSR2, unix.SIGALRM, unix.SIGCONT, unix.SIGWINCH,
	}
}
