package runtime

import (
	"os"
	"slices"
	"strconv"
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

// TestStageWithoutRseqUnderOldProfile covers glibc's rseq under a profile
// that predates it (runtime-tools' default refuses rseq with EPERM): the
// init stage loads the filter on every thread and the Go runtime may start
// a thread after that, which glibc aborted ("Fatal glibc error: rseq
// registration failed", one create in about sixty). The stage must run
// with glibc's rseq registration off, whatever thread it starts.
func TestStageWithoutRseqUnderOldProfile(t *testing.T) {
	b := newTestBundle(t, "/bin/echo", "started")
	b.spec.Process.NoNewPrivileges = false
	b.spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"rseq", "openat2"}, Action: specs.ActErrno},
		},
	}
	c := b.create(t, testID(t), CreateOptions{})
	environ, err := os.ReadFile("/proc/" + strconv.Itoa(c.p.Pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(environ), "\x00"), glibcNoRseq) {
		t.Errorf("the init stage's environment %q lacks %s", environ, glibcNoRseq)
	}
	c.start(t)
	if st := c.wait(t); st.Code != 0 {
		t.Fatalf("exit status %+v, want 0 (output %q)", st, c.out.all(t))
	}
}
