package capabilities

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// busybox prints the capability lines of the program that runs after
// execve; the scenarios exec it to see what survives the exec.
const busybox = "/bin/busybox"

// runScenario runs a scenario in the child process started by runChild.
// Each prints the capability lines of /proc/thread-self/status prefixed by
// "pre " and then execs busybox to print them again as the new program sees
// them.
func runScenario(name string) error {
	switch name {
	case "root-defaults":
		// root keeps Docker's defaults in all five sets.
		d := DockerDefaults()
		c := &specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d, Inheritable: d, Ambient: d}
		if err := ApplyBounding(c); err != nil {
			return err
		}
		if err := Apply(c); err != nil {
			return err
		}
		return reportAndExec()
	case "user-ambient":
		// uid 1000 with ambient CAP_NET_BIND_SERVICE, switched the way the
		// init stage does it.
		d := DockerDefaults()
		nbs := []string{"CAP_NET_BIND_SERVICE"}
		c := &specs.LinuxCapabilities{Bounding: d, Effective: d, Permitted: d, Inheritable: nbs, Ambient: nbs}
		if err := ApplyBounding(c); err != nil {
			return err
		}
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("PR_SET_KEEPCAPS 1: %w", err)
		}
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := syscall.Setresgid(1000, 1000, 1000); err != nil {
			return fmt.Errorf("setresgid: %w", err)
		}
		if err := syscall.Setresuid(1000, 1000, 1000); err != nil {
			return fmt.Errorf("setresuid: %w", err)
		}
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
			return fmt.Errorf("PR_SET_KEEPCAPS 0: %w", err)
		}
		if err := Apply(c); err != nil {
			return err
		}
		return reportAndExec()
	}
	return fmt.Errorf("no scenario %q", name)
}

// reportAndExec prints the calling thread's capability lines with a "pre "
// prefix (/proc/self would show the thread-group leader, not this thread),
// then replaces the process with busybox printing its own.
func reportAndExec() error {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Cap") {
			fmt.Println("pre " + l)
		}
	}
	os.Stdout.Sync()
	return syscall.Exec(busybox, []string{"busybox", "grep", "^Cap", "/proc/self/status"}, os.Environ())
}

// capState is the five masks of one /proc status file, keyed "CapEff" etc.
type capState map[string]uint64

// runChild runs scenario name in a re-executed test binary and returns the
// state before and after execve.
func runChild(t *testing.T, name string) (pre, post capState) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child %s: %v\nstdout:\n%s\nstderr:\n%s", name, err, stdout.String(), stderr.String())
	}
	pre, post = capState{}, capState{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		line := sc.Text()
		target := post
		if rest, ok := strings.CutPrefix(line, "pre "); ok {
			target, line = pre, rest
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(val), 16, 64)
		if err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		target[key] = v
	}
	if len(pre) != 5 || len(post) != 5 {
		t.Fatalf("child %s printed %d pre and %d post masks, want 5 each:\n%s", name, len(pre), len(post), stdout.String())
	}
	return pre, post
}

func TestApplyInChild(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: sets capabilities and switches user in a child")
	}
	if _, err := os.Stat(busybox); err != nil {
		testutil.Missing(t, "needs %s to show capabilities after execve: %v", busybox, err)
	}
	defaults := maskOf(t, DockerDefaults()...)
	nbs := maskOf(t, "CAP_NET_BIND_SERVICE")
	tests := []struct {
		scenario  string
		pre, post capState
	}{
		{
			scenario: "root-defaults",
			pre:      capState{"CapEff": defaults, "CapPrm": defaults, "CapInh": defaults, "CapBnd": defaults, "CapAmb": defaults},
			// Root's exec recomputes permitted as inheritable|bounding.
			post: capState{"CapEff": defaults, "CapPrm": defaults, "CapInh": defaults, "CapBnd": defaults, "CapAmb": defaults},
		},
		{
			scenario: "user-ambient",
			pre:      capState{"CapEff": defaults, "CapPrm": defaults, "CapInh": nbs, "CapBnd": defaults, "CapAmb": nbs},
			// A non-root exec of a plain file keeps only the ambient set,
			// which becomes permitted and effective.
			post: capState{"CapEff": nbs, "CapPrm": nbs, "CapInh": nbs, "CapBnd": defaults, "CapAmb": nbs},
		},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			pre, post := runChild(t, tt.scenario)
			for _, k := range []string{"CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"} {
				if pre[k] != tt.pre[k] {
					t.Errorf("before execve %s = %016x, want %016x", k, pre[k], tt.pre[k])
				}
				if post[k] != tt.post[k] {
					t.Errorf("after execve %s = %016x, want %016x", k, post[k], tt.post[k])
				}
			}
		})
	}
}
