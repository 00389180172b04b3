package capabilities

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestValidate(t *testing.T) {
	d := DockerDefaults()
	all := func() *specs.LinuxCapabilities {
		return &specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d, Inheritable: d, Ambient: d}
	}
	tests := []struct {
		name string
		c    *specs.LinuxCapabilities
		last capability.Cap
		// wantIn are substrings of the error; none means no error.
		wantIn []string
	}{
		{name: "nil", c: nil, last: capability.CAP_CHECKPOINT_RESTORE},
		{name: "docker defaults everywhere", c: all(), last: capability.CAP_CHECKPOINT_RESTORE},
		{name: "empty", c: &specs.LinuxCapabilities{}, last: capability.CAP_CHECKPOINT_RESTORE},
		{
			name:   "unknown in bounding",
			c:      &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN", "CAP_TELEPORT"}},
			last:   capability.CAP_CHECKPOINT_RESTORE,
			wantIn: []string{`unknown capability "CAP_TELEPORT" in the bounding set`},
		},
		{
			name:   "unknown in ambient and lower case in effective",
			c:      &specs.LinuxCapabilities{Effective: []string{"chown"}, Permitted: []string{"chown"}, Ambient: []string{"CAP_X"}},
			last:   capability.CAP_CHECKPOINT_RESTORE,
			wantIn: []string{`"chown" in the effective set`, `"CAP_X" in the ambient set`},
		},
		{
			name:   "newer than the kernel",
			c:      &specs.LinuxCapabilities{Bounding: []string{"CAP_BPF", "CAP_KILL"}},
			last:   capability.CAP_AUDIT_READ,
			wantIn: []string{`capability "CAP_BPF" in the bounding set is not supported by the running kernel (its last is CAP_AUDIT_READ)`},
		},
		{
			name:   "effective outside permitted",
			c:      &specs.LinuxCapabilities{Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_CHOWN"}},
			last:   capability.CAP_CHECKPOINT_RESTORE,
			wantIn: []string{`effective capability "CAP_KILL" is not in the permitted set`},
		},
		{
			name: "ambient outside inheritable",
			c: &specs.LinuxCapabilities{
				Permitted: []string{"CAP_NET_BIND_SERVICE"}, Ambient: []string{"CAP_NET_BIND_SERVICE"},
			},
			last:   capability.CAP_CHECKPOINT_RESTORE,
			wantIn: []string{`ambient capability "CAP_NET_BIND_SERVICE" must also be in the permitted and inheritable sets`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.c == nil {
				err = Validate(nil)
			} else {
				err = validate(tt.c, tt.last)
			}
			if len(tt.wantIn) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not ErrInvalidArgument", err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateRunningKernel(t *testing.T) {
	d := DockerDefaults()
	if err := Validate(&specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d}); err != nil {
		t.Fatalf("Docker defaults rejected on this kernel: %v", err)
	}
	if err := Validate(&specs.LinuxCapabilities{Bounding: []string{"CAP_NOPE"}}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("Validate(CAP_NOPE) = %v, want ErrInvalidArgument", err)
	}
}
