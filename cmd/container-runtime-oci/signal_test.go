package main

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParseSignal(t *testing.T) {
	valid := []struct {
		in   string
		want unix.Signal
	}{
		{"KILL", unix.SIGKILL},
		{"SIGKILL", unix.SIGKILL},
		{"kill", unix.SIGKILL},
		{"9", unix.SIGKILL},
		{"15", unix.SIGTERM},
		{"TERM", unix.SIGTERM},
		{"SIGHUP", unix.SIGHUP},
		{"usr1", unix.SIGUSR1},
		{"WINCH", unix.SIGWINCH},
		{"64", unix.Signal(64)},
		{"RTMIN", unix.Signal(34)},
		{"SIGRTMIN+3", unix.Signal(37)},
		{"RTMAX-1", unix.Signal(63)},
		{"SIGRTMAX", unix.Signal(64)},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSignal(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("parseSignal(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	invalid := []string{"", "0", "-9", "65", "FOO", "SIG", "SIGKILLX", "RTMIN+31", "RTMAX+1", "RTMIN-1", "RTMIN+x", "9x"}
	for _, in := range invalid {
		t.Run("invalid "+in, func(t *testing.T) {
			got, err := parseSignal(in)
			if err == nil {
				t.Fatalf("parseSignal(%q) = %v, want an error", in, got)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not ErrInvalidArgument", err)
			}
		})
	}
}
