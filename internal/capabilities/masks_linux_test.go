package capabilities

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestMasks(t *testing.T) {
	d := DockerDefaults()
	defaults := maskOf(t, d...)
	nbs := maskOf(t, "CAP_NET_BIND_SERVICE")
	kill := maskOf(t, "CAP_KILL")
	// CAP_CHECKPOINT_RESTORE (Linux 5.9) is the newest name this build
	// knows; on an older kernel Masks leaves it out, as runc does.
	last, err := capability.LastCap()
	if err != nil {
		t.Fatal(err)
	}
	var checkpoint uint64
	if last >= capability.CAP_CHECKPOINT_RESTORE {
		checkpoint = 1 << uint(capability.CAP_CHECKPOINT_RESTORE)
	}
	tests := []struct {
		name string
		c    *specs.LinuxCapabilities
		want Sets
		// wantIn are substrings of the error; none means no error.
		wantIn []string
	}{
		{name: "nil gives empty sets", c: nil},
		{name: "empty sets", c: &specs.LinuxCapabilities{}},
		{
			name: "docker defaults everywhere",
			c:    &specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d, Inheritable: d, Ambient: d},
			want: Sets{Bounding: defaults, Effective: defaults, Permitted: defaults, Inheritable: defaults, Ambient: defaults},
		},
		{
			name: "docker defaults with one ambient capability",
			c: &specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d,
				Inheritable: []string{"CAP_NET_BIND_SERVICE"}, Ambient: []string{"CAP_NET_BIND_SERVICE"}},
			want: Sets{Bounding: defaults, Effective: defaults, Permitted: defaults, Inheritable: nbs, Ambient: nbs},
		},
		{
			name: "each set is its own",
			c:    &specs.LinuxCapabilities{Bounding: d, Permitted: []string{"CAP_KILL"}},
			want: Sets{Bounding: defaults, Permitted: kill},
		},
		{
			name: "a repeated name is one bit",
			c:    &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL", "CAP_KILL"}},
			want: Sets{Bounding: kill},
		},
		{
			name: "a capability above bit 31",
			c:    &specs.LinuxCapabilities{Bounding: []string{"CAP_CHECKPOINT_RESTORE", "CAP_KILL"}},
			want: Sets{Bounding: checkpoint | kill},
		},
		{
			name:   "unknown in bounding",
			c:      &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN", "CAP_TELEPORT"}},
			wantIn: []string{`bounding set: unknown capability "CAP_TELEPORT"`},
		},
		{
			name:   "lower case in inheritable",
			c:      &specs.LinuxCapabilities{Inheritable: []string{"cap_kill"}},
			wantIn: []string{`inheritable set: unknown capability "cap_kill"`},
		},
		{
			name: "unknown in three sets: the first is named",
			c: &specs.LinuxCapabilities{Permitted: []string{"CAP_X"}, Inheritable: []string{"CAP_X"},
				Ambient: []string{"CAP_X"}},
			wantIn: []string{`permitted set: unknown capability "CAP_X"`},
		},
		{
			name:   "effective outside permitted",
			c:      &specs.LinuxCapabilities{Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_CHOWN"}},
			wantIn: []string{`effective capability "CAP_KILL" is not in the permitted set`},
		},
		{
			name: "ambient outside inheritable",
			c: &specs.LinuxCapabilities{Permitted: []string{"CAP_NET_BIND_SERVICE"},
				Ambient: []string{"CAP_NET_BIND_SERVICE"}},
			wantIn: []string{`ambient capability "CAP_NET_BIND_SERVICE" must also be in the permitted and inheritable sets`},
		},
		{
			name: "ambient outside permitted",
			c: &specs.LinuxCapabilities{Inheritable: []string{"CAP_NET_BIND_SERVICE"},
				Ambient: []string{"CAP_NET_BIND_SERVICE"}},
			wantIn: []string{`ambient capability "CAP_NET_BIND_SERVICE" must also be in the permitted and inheritable sets`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Masks(tt.c)
			if len(tt.wantIn) == 0 {
				if err != nil {
					t.Fatalf("Masks: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Masks = %+x\nwant    %+x", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Masks = %+x, want an error containing %q", got, tt.wantIn)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error does not wrap ErrInvalidArgument: %v", err)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}
