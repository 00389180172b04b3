package security

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// runtimeProbe builds the runtime package's probe (runtime/testdata/probe),
// a static program that reports one system call's answer per run.
func runtimeProbe(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command("go", "build", "-o", out, "../../runtime/testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the probe: %v\n%s", err, b)
	}
	return out
}

// TestInitEscapesSeccomp_PtracePID1 guards the class "PID 1 is less
// confined than the container" (Docker's --init runs tini as the process,
// under its limits): with `run --init` our PID 1 is a small C init. It
// was unfiltered, dumpable and root, so a root process of the container
// could PTRACE_ATTACH to it and run through it every system call the
// seccomp profile refuses (unshare of a user namespace, keyctl, bpf...).
// The attach must fail with EPERM, PID 1 must carry a seccomp filter and
// the process's bounding set, and the refused calls stay refused.
func TestInitEscapesSeccomp_PtracePID1(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	probe := runtimeProbe(t)
	script := "for p in 1 self; do grep -E '^(Seccomp|Seccomp_filters|CapBnd):' /proc/$p/status | tr -d '\\t' | tr '\\n' ' '; echo; done; " +
		"/probe ptrace 1; /probe keyctl; /probe unshare-user; true"
	out := d.OK(t, "run", "--rm", "--init", "--network", "none", "-v", probe+":/probe:ro", img, "sh", "-c", script)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("output %q, want 5 lines", out)
	}
	init, self := statusFields(lines[0]), statusFields(lines[1])
	if init["Seccomp"] != "2" || init["Seccomp_filters"] != self["Seccomp_filters"] {
		t.Errorf("PID 1 runs without the container's seccomp filter: PID 1 %q, the process %q", lines[0], lines[1])
	}
	if init["CapBnd"] == "" || init["CapBnd"] != self["CapBnd"] {
		t.Errorf("PID 1's bounding set %q, the process's %q", init["CapBnd"], self["CapBnd"])
	}
	if lines[2] != "EPERM" {
		t.Errorf("PTRACE_ATTACH to PID 1 from the container's root: %q, want EPERM", lines[2])
	}
	for i, call := range []string{"keyctl", "unshare(CLONE_NEWUSER)"} {
		if got := lines[3+i]; got != "EPERM" {
			t.Errorf("%s in the container: %q, want EPERM", call, got)
		}
	}
}

// statusFields parses "Key:value Key:value " into a map.
func statusFields(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, ":"); ok {
			m[k] = v
		}
	}
	return m
}
