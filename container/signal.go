package container

import (
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/signal"
)

// parseSignal accepts a signal by number ("9"), by name with or without
// "SIG" in any case ("TERM", "sigkill"), or as "RTMIN+n"/"RTMAX-n": the
// rules of signal.Parse, which the builder also checks STOPSIGNAL with.
func parseSignal(s string) (unix.Signal, error) { return signal.Parse(s) }
