package container

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// parseSignal accepts a signal by number ("9"), by name with or without
// "SIG" in any case ("TERM", "sigkill"), or as "RTMIN+n"/"RTMAX-n".
func parseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > sigRTMax {
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
	}{{"SIGRTMIN+", sigRTMin, 1}, {"SIGRTMAX-", sigRTMax, -1}} {
		if rest, ok := strings.CutPrefix(name, base.prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				v := base.num + base.sign*n
				if v >= sigRTMin && v <= sigRTMax {
					return unix.Signal(v), nil
				}
			}
		}
	}
	switch name {
	case "SIGRTMIN":
		return unix.Signal(sigRTMin), nil
	case "SIGRTMAX":
		return unix.Signal(sigRTMax), nil
	}
	return 0, fmt.Errorf("invalid signal %q: %w", s, errdefs.ErrInvalidArgument)
}

// The real-time signal range as glibc exposes it to programs (the kernel's
// 32 and 33 are taken by the C library).
const (
	sigRTMin = 34
	sigRTMax = 64
)
