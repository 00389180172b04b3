package signal

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]unix.Signal{
		"SIGTERM": unix.SIGTERM, "TERM": unix.SIGTERM, "term": unix.SIGTERM, "15": unix.SIGTERM,
		"SIGKILL": unix.SIGKILL, "SIGRTMIN": RTMin, "SIGRTMIN+3": RTMin + 3, "RTMAX-2": RTMax - 2,
		"64": RTMax, "1": unix.SIGHUP,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "SIGNOPE", "0", "-1", "65", "SIGRTMIN+31", "RTMAX-31", "SIG", "15x", "RTMIN+", " TERM"} {
		if _, err := Parse(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Parse(%q): got %v, want ErrInvalidArgument", bad, err)
		}
	}
}
