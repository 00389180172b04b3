package container

import (
	"errors"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestCheckSysctlValue(t *testing.T) {
	for _, ok := range []string{"1", "32768\t60999", "1024 65000", "", "a+b"} {
		if err := checkSysctlValue("k", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"1\nkernel.core_pattern=|/tmp/pwn", "1\r", "1\x00", "\x7f"} {
		if err := checkSysctlValue("k", bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want ErrInvalidArgument", bad, err)
		}
	}
}
