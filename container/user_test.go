package container

import (
	"errors"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestContainerUser(t *testing.T) {
	tests := []struct {
		requested, image, want string
	}{
		{"", "", ""},
		{"", "1000", "1000"},
		{"0", "1000", "0"},
		{"root", "nobody:nogroup", "root"},
		{"", "web:staff", "web:staff"},
	}
	for _, tt := range tests {
		if got, err := containerUser(tt.requested, tt.image); err != nil || got != tt.want {
			t.Errorf("containerUser(%q, %q) = %q, %v; want %q", tt.requested, tt.image, got, err, tt.want)
		}
	}
	for _, bad := range []string{"2147483648", "4294967296:0", "-1", "1000:-1", "12345678901234567890", ":0", "a:", "a:b:c"} {
		_, err := containerUser(bad, "")
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), bad) {
			t.Errorf("-u %q: %v; want ErrInvalidArgument naming it", bad, err)
		}
		_, err = containerUser("", bad)
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "the image's USER") {
			t.Errorf("USER %q: %v; want ErrInvalidArgument naming the image's USER", bad, err)
		}
		// -u replaces a bad image USER, as it replaces any.
		if _, err := containerUser("0", bad); err != nil {
			t.Errorf("-u 0 over USER %q: %v", bad, err)
		}
	}
}

func TestApplyUser(t *testing.T) {
	caps := []string{"CAP_CHOWN", "CAP_KILL"}
	newProcess := func(env ...string) *specs.Process {
		p := &specs.Process{Env: env}
		setCapabilities(p, caps)
		return p
	}
	// Root keeps its capabilities; HOME comes from /etc/passwd.
	p := newProcess("PATH=/bin")
	applyUser(p, execUser{User: specs.User{UID: 0, GID: 0}, Home: "/root"})
	if !slices.Equal(p.Capabilities.Effective, caps) || !slices.Equal(p.Capabilities.Permitted, caps) || !slices.Contains(p.Env, "HOME=/root") {
		t.Errorf("root: %+v %v", p.Capabilities, p.Env)
	}
	// Another user has none effective or permitted, the bounding set
	// stays; a HOME in the environment wins.
	p = newProcess("PATH=/bin", "HOME=/set")
	shared := p.Capabilities
	applyUser(p, execUser{User: specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{5}}, Home: "/home/u"})
	if len(p.Capabilities.Effective)+len(p.Capabilities.Permitted) != 0 || !slices.Equal(p.Capabilities.Bounding, caps) {
		t.Errorf("uid 1000 capabilities: %+v", p.Capabilities)
	}
	if len(shared.Effective) != len(caps) {
		t.Errorf("applyUser changed the capabilities it was given in place")
	}
	if p.User.UID != 1000 || p.User.GID != 1000 || !slices.Equal(p.User.AdditionalGids, []uint32{5}) || !slices.Equal(p.Env, []string{"PATH=/bin", "HOME=/set"}) {
		t.Errorf("uid 1000: %+v %v", p.User, p.Env)
	}
}
