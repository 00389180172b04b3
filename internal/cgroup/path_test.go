package cgroup

import (
	"errors"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestResolvePath(t *testing.T) {
	tests := []struct {
		name, id, in, want string
	}{
		{"default", "abc", "", "/container-runtime/abc"},
		{"absolute", "abc", "/docker/abc", "/docker/abc"},
		{"relative from root", "abc", "mine/abc", "/mine/abc"},
		{"dotdot cannot escape", "abc", "../../x/../y", "/y"},
		{"absolute with colons is cgroupfs", "abc", "/a:b:c", "/a:b:c"},
		{"systemd scope", "abc", "system.slice:docker:abc", "/system.slice/docker-abc.scope"},
		{"systemd nested slice", "abc", "machine-ct.slice:crt:abc", "/machine.slice/machine-ct.slice/crt-abc.scope"},
		{"systemd empty slice", "abc", ":crt:abc", "/system.slice/crt-abc.scope"},
		{"systemd empty prefix", "abc", "user.slice::abc", "/user.slice/abc.scope"},
		{"systemd root slice", "abc", "-.slice:p:abc", "/p-abc.scope"},
		{"systemd slice unit", "abc", "system.slice:p:mine.slice", "/system.slice/mine.slice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolvePath(tt.id, tt.in)
			if err != nil {
				t.Fatalf("resolvePath(%q, %q): %v", tt.id, tt.in, err)
			}
			if got != tt.want {
				t.Errorf("resolvePath(%q, %q) = %q, want %q", tt.id, tt.in, got, tt.want)
			}
		})
	}
}

func TestResolvePathRejects(t *testing.T) {
	tests := []struct {
		name, id, in string
	}{
		{"root", "abc", "/"},
		{"root by dotdot", "abc", "a/.."},
		{"empty id", "", ""},
		{"id with slash", "a/b", ""},
		{"id dotdot", "..", ""},
		{"slice without suffix", "abc", "system:p:abc"},
		{"slice double dash", "abc", "a--b.slice:p:abc"},
		{"slice leading dash", "abc", "-a.slice:p:abc"},
		{"empty unit name", "abc", "system.slice:p:"},
		{"unit name with slash", "abc", "system.slice:p:a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolvePath(tt.id, tt.in)
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("resolvePath(%q, %q) = %q, %v; want ErrInvalidArgument", tt.id, tt.in, got, err)
			}
		})
	}
}

func TestSystemdPath(t *testing.T) {
	got, err := SystemdPath("kubepods-burstable.slice:cri-containerd:abc")
	if want := "/kubepods.slice/kubepods-burstable.slice/cri-containerd-abc.scope"; err != nil || got != want {
		t.Errorf("SystemdPath = %q, %v; want %q", got, err, want)
	}
	// With the systemd driver a cgroupfs path is a mistake, not a path.
	for _, in := range []string{"/docker/abc", "docker/abc", "a:b", "bad:p:n"} {
		if got, err := SystemdPath(in); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("SystemdPath(%q) = %q, %v; want ErrInvalidArgument", in, got, err)
		}
	}
}
