package runtime

import (
	"bytes"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
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

// TestSeccompProgramSealedFile: the compiled program reaches every stage
// as one sealed memfd per profile: the same file for the same profile,
// holding the program's bytes, which nobody holding the descriptor can
// change, and which a stage reads back whole with pread whatever the
// shared offset (process.c, read_filter).
func TestSeccompProgramSealedFile(t *testing.T) {
	r := &Runtime{Root: t.TempDir()}
	profile := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
	p, err := r.seccompProgram(profile)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.seccompProgram(profile)
	if err != nil || again != p {
		t.Fatalf("second lookup of the same profile: %p, %v; want the cached %p", again, err, p)
	}
	if _, err := p.file.WriteAt([]byte{0}, 0); err == nil {
		t.Errorf("writing into the sealed program succeeded")
	}
	if err := unix.Ftruncate(int(p.file.Fd()), 1); err == nil {
		t.Errorf("shrinking the sealed program succeeded")
	}
	// A stage gets its own descriptor (dup), sharing the file offset.
	if _, err := p.file.Seek(5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(p.file.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	got := make([]byte, len(p.bytes)+1)
	n, err := unix.Pread(fd, got, 0)
	if err != nil || !bytes.Equal(got[:n], p.bytes) {
		t.Fatalf("pread of the program: %d bytes, %v; want the program's %d bytes", n, err, len(p.bytes))
	}
}
