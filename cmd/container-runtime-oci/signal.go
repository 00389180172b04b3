package main

import (
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/signal"
)

// parseSignal reads a signal as runc's kill does: a number ("9"), a name
// with or without the SIG prefix ("KILL", "SIGKILL", "kill"), or a
// real-time signal relative to its range ("RTMIN+3", "SIGRTMAX-1"); the
// engine's one parser (internal/signal) reads them all.
func parseSignal(s string) (unix.Signal, error) { return signal.Parse(s) }

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
