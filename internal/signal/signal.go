// Package signal reads the signal names and numbers that users give
// (stop signals, kill signals) the way Docker does, in one place: the
// builder validates STOPSIGNAL with it and the container service uses it
// at create and stop, so an image that builds never carries a stop signal
// its containers refuse.
package signal

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The real-time signal range as glibc exposes it to programs (the kernel's
// 32 and 33 are taken by the C library).
const (
	RTMin = 34
	RTMax = 64
)

// Parse accepts a signal by number ("9", 1 to RTMax), by name with or
// without "SIG" in any case ("TERM", "sigkill"), or as "RTMIN", "RTMAX",
// "RTMIN+n" and "RTMAX-n" within the real-time range. Anything else is
// ErrInvalidArgument.
func Parse(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > RTMax {
			return 0, fmt.Errorf("invalid signal %q: %w", s, errdefs.ErrInvalidArgument)
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
	for _, base := range []struct {
		prefix string
		num    int
		sign   int
	}{{"SIGRTMIN+", RTMin, 1}, {"SIGRTMAX-", RTMax, -1}} {
		if rest, ok := strings.CutPrefix(name, base.prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				v := base.num + base.sign*n
				if v >= RTMin && v <= RTMax {
					return unix.Signal(v), nil
				}
			}
		}
	}
	switch name {
	case "SIGRTMIN":
		return unix.Signal(RTMin), nil
	case "SIGRTMAX":
		return unix.Signal(RTMax), nil
	}
	return 0, fmt.Errorf("invalid signal %q: %w", s, errdefs.ErrInvalidArgument)
}
