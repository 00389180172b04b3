package capabilities

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestValidateNames(t *testing.T) {
	if err := ValidateNames(nil); err != nil {
		t.Errorf("nil: %v", err)
	}
	// A name the kernel may lack but this build knows passes: runc's leniency.
	ok := &specs.LinuxCapabilities{Bounding: []string{"CAP_CHECKPOINT_RESTORE"}, Effective: []string{"CAP_KILL"}}
	if err := ValidateNames(ok); err != nil {
		t.Errorf("known names: %v", err)
	}
	bad := &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}, Ambient: []string{"CAP_KILL", "cap_kill"}}
	err := ValidateNames(bad)
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), `process.capabilities.ambient[1] "cap_kill" is unknown`) {
		t.Errorf("lower-case name: %v", err)
	}
	if !slices.Contains(KnownNames(), "CAP_SYS_ADMIN") {
		t.Error("KnownNames lacks CAP_SYS_ADMIN")
	}
}
