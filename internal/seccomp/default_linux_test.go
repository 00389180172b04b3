package seccomp

import (
	"runtime"
	"slices"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// unconditional reports whether cfg allows name with no argument condition.
func unconditional(cfg *specs.LinuxSeccomp, name string) bool {
	for _, r := range cfg.Syscalls {
		if r.Action == specs.ActAllow && len(r.Args) == 0 && slices.Contains(r.Names, name) {
			return true
		}
	}
	return false
}

func TestDefault(t *testing.T) {
	sysAdmin := append(slices.Clone(dockerDefaultCaps()), "CAP_SYS_ADMIN")
	withCaps := func(caps []string) *specs.Spec {
		return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	}
	tests := []struct {
		name    string
		spec    *specs.Spec
		allowed []string
		denied  []string
	}{
		{"docker caps", withCaps(dockerDefaultCaps()), []string{"read", "write", "execve", "chroot"}, []string{"keyctl", "unshare", "mount", "add_key", "bpf"}},
		{"nil spec", nil, []string{"read", "write", "execve"}, []string{"keyctl", "unshare", "mount", "chroot"}},
		{"no process", &specs.Spec{}, []string{"read"}, []string{"mount"}},
		{"CAP_SYS_ADMIN", withCaps(sysAdmin), []string{"read", "mount", "unshare"}, []string{"keyctl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Default(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DefaultAction != specs.ActErrno {
				t.Errorf("default action %s, want %s", cfg.DefaultAction, specs.ActErrno)
			}
			if cfg.DefaultErrnoRet == nil || *cfg.DefaultErrnoRet != uint(unix.EPERM) {
				t.Errorf("defaultErrnoRet %v, want EPERM", cfg.DefaultErrnoRet)
			}
			for _, n := range tt.allowed {
				if !unconditional(cfg, n) {
					t.Errorf("%s is not allowed", n)
				}
			}
			for _, n := range tt.denied {
				if unconditional(cfg, n) {
					t.Errorf("%s is allowed unconditionally", n)
				}
			}
			if runtime.GOARCH == "amd64" && !slices.Contains(cfg.Architectures, specs.ArchX86_64) {
				t.Errorf("architectures %v lack %s", cfg.Architectures, specs.ArchX86_64)
			}
			if err := Validate(cfg); err != nil {
				t.Errorf("Validate(Default) = %v", err)
			}
		})
	}
}
