package runtime

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCreateStartUnderProfileWithoutOpenat2 runs a container whose seccomp
// profile predates openat2 and refuses it with EPERM, as runtime-tools'
// default profile and old Docker profiles do. The filter is loaded before
// the init stage reopens its exec fifo, so that reopen must not depend on
// openat2 (it did: every runtime-tools validation program failed).
func TestCreateStartUnderProfileWithoutOpenat2(t *testing.T) {
	b := newTestBundle(t, "/bin/echo", "started")
	// Without no_new_privs the filter is loaded while CAP_SYS_ADMIN is
	// still held, before the exec fifo is reopened.
	b.spec.Process.NoNewPrivileges = false
	b.spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"openat2"}, Action: specs.ActErrno},
		},
	}
	c := b.create(t, testID(t), CreateOptions{})
	c.start(t)
	if st := c.wait(t); st.Code != 0 {
		t.Fatalf("exit status %+v, want 0 (output %q)", st, c.out.all(t))
	}
	if out := c.out.all(t); !strings.Contains(out, "started") {
		t.Fatalf("output %q, want %q", out, "started")
	}
}
