package nsenter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// childEnv holds, in a re-executed test binary, the JSON of the childSpec
// it carries out instead of running the tests (see TestMain).
const childEnv = "NSENTER_TEST_CHILD"

// TestMain runs a process stage in a child when childEnv is set: what the
// stage changes (capabilities, user, working directory, limits) cannot be
// undone, and Exec replaces the process. The child locks the main
// goroutine to its thread first, because capabilities and no_new_privs are
// per thread and Exec must come from the thread that Enter ran on.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		runtime.LockOSThread()
		if err := runChildSpec(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0) // Unreachable: the child ends in Exec.
	}
	os.Exit(m.Run())
}

// busybox is the program the children exec to show what the process stage
// left them (Debian's busybox-static: it runs in an empty chroot too).
const busybox = "/bin/busybox"

// childSpec is what a re-executed test binary does (TestMain), in this
// order; a step that fails ends the child with status 1 and
// "<Step>: <error>" on stderr:
//
//	umask(0)                       so that modes are the ones the stage asks for
//	chroot(Chroot), chdir("/")     if Chroot is set
//	NewProcess(Plan, -1, Preserve)
//	Console(ConsoleFD)             if ConsoleFD is set
//	Enter()
//	"probe ..." lines on stdout    for ProbeCaps, ProbeFDs and ProbeAS
//	OpenExecFifo(FifoFD)           if FifoFD is set
//	Startup(ReportFD)              if Startup is set
//	remove Remove                  if Remove is set
//	Exec()
type childSpec struct {
	Plan      []byte
	Preserve  int
	Chroot    string
	ConsoleFD int
	// ProbeCaps prints the capability lines of this thread, the one
	// Enter ran on and Exec runs from.
	ProbeCaps bool
	// ProbeFDs are descriptors whose file is printed: "directory", or
	// what /proc/self/fd says.
	ProbeFDs []int
	// ProbeAS prints the RLIMIT_AS of the process.
	ProbeAS  bool
	FifoFD   int
	Startup  bool
	ReportFD int
	Remove   string
}

// runChildSpec carries out the childSpec encoded in js.
//
// Preconditions: the calling goroutine holds runtime.LockOSThread.
func runChildSpec(js string) error {
	var c childSpec
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		return fmt.Errorf("decoding the child's spec: %w", err)
	}
	syscall.Umask(0)
	if c.Chroot != "" {
		if err := unix.Chroot(c.Chroot); err != nil {
			return fmt.Errorf("chroot %s: %w", c.Chroot, err)
		}
		if err := unix.Chdir("/"); err != nil {
			return fmt.Errorf("chdir / in %s: %w", c.Chroot, err)
		}
	}
	p, err := NewProcess(c.Plan, -1, c.Preserve)
	if err != nil {
		return fmt.Errorf("NewProcess: %w", err)
	}
	if c.ConsoleFD > 0 {
		if err := p.Console(c.ConsoleFD); err != nil {
			return fmt.Errorf("Console: %w", err)
		}
	}
	if err := p.Enter(); err != nil {
		return fmt.Errorf("Enter: %w", err)
	}
	if c.ProbeCaps {
		// /proc/self would show the thread-group leader, not this thread.
		b, err := os.ReadFile("/proc/thread-self/status")
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Cap") {
				fmt.Println("probe " + l)
			}
		}
	}
	for _, fd := range c.ProbeFDs {
		fmt.Printf("probe fd %d: %s\n", fd, describeFD(fd))
	}
	if c.ProbeAS {
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil {
			return err
		}
		fmt.Printf("probe as: %d %d\n", lim.Cur, lim.Max)
	}
	if c.FifoFD > 0 {
		if _, err := p.OpenExecFifo(c.FifoFD); err != nil {
			return fmt.Errorf("OpenExecFifo: %w", err)
		}
	}
	if c.Startup {
		if err := p.Startup(c.ReportFD); err != nil {
			return fmt.Errorf("Startup: %w", err)
		}
	}
	if c.Remove != "" {
		if err := os.Remove(c.Remove); err != nil {
			return err
		}
	}
	return fmt.Errorf("Exec: %w", p.Exec())
}

// describeFD says what descriptor fd is: "directory", or its /proc link.
func describeFD(fd int) string {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "fstat: " + err.Error()
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return "directory"
	}
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "readlink: " + err.Error()
	}
	return link
}

// childResult is how a child ended and what it printed.
type childResult struct {
	stdout, stderr string
	err            error
}

// runChild carries out spec in a re-executed test binary, in a session of
// its own (Console needs one), with files as its descriptors 3 and up.
func runChild(t testing.TB, spec childSpec, files ...*os.File) childResult {
	t.Helper()
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(js))
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return childResult{stdout.String(), stderr.String(), err}
}

// ok fails t unless the child's program ran and exited 0; it returns the
// child's stdout.
func (r childResult) ok(t testing.TB) string {
	t.Helper()
	if r.err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
	}
	return r.stdout
}

// failed fails t unless the child's step failed; it returns the error of
// the step.
func (r childResult) failed(t testing.TB, step string) string {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(r.err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child: %v, want exit status 1 after %s failed\nstdout:\n%s\nstderr:\n%s", r.err, step, r.stdout, r.stderr)
	}
	msg, ok := strings.CutPrefix(strings.TrimSuffix(r.stderr, "\n"), step+": ")
	if !ok {
		t.Fatalf("child's stderr %q does not start with %q", r.stderr, step+": ")
	}
	return msg
}

// requireChild ends t unless a child can run the process stage: it needs
// root (it switches users and sets capabilities) and busybox.
func requireChild(t testing.TB) {
	t.Helper()
	testutil.RequireRoot(t)
	if _, err := os.Stat(busybox); err != nil {
		testutil.Missing(t, "needs %s (Debian's busybox-static) to show what the program sees: %v", busybox, err)
	}
}

// encode encodes p's plan, failing tb if that fails.
func encode(tb testing.TB, p *specs.Process, o PlanOptions) []byte {
	tb.Helper()
	b, err := EncodePlan(p, o)
	if err != nil {
		tb.Fatalf("EncodePlan: %v", err)
	}
	return b
}
