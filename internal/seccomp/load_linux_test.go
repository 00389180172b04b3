package seccomp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// filterFileEnv passes a marshalled Filter's path to the "marshalled"
// scenario.
const filterFileEnv = "SECCOMP_TEST_FILTER"

// report is what a scenario child prints as JSON: the outcome of each probe
// ("ok" or the errno's name) and facts about the process.
type report struct {
	Results map[string]string `json:"results"`
	// Threads and Filtered count the threads of the child and those in
	// seccomp filter mode after the load (TSYNC reaches them all).
	Threads  int `json:"threads"`
	Filtered int `json:"filtered"`
	// LoadMicros is how long Load took, for information only.
	LoadMicros int64 `json:"loadMicros"`
}

// runScenario runs one scenario in the child and returns its exit code.
func runScenario(name string) (int, error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return 1, fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	switch name {
	case "docker-default":
		cfg, err := Default(&specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: dockerDefaultCaps()}}})
		if err != nil {
			return 1, err
		}
		return probe(func() error { return Load(cfg) })
	case "marshalled":
		b, err := os.ReadFile(os.Getenv(filterFileEnv))
		if err != nil {
			return 1, err
		}
		var f Filter
		if err := f.UnmarshalBinary(b); err != nil {
			return 1, err
		}
		return probe(f.Load)
	case "errno-getpid":
		return probe(func() error {
			return Load(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
				{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: uptr(38)},
			}})
		})
	case "kill-getppid":
		// No core file for the SIGSYS death.
		if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
			return 1, err
		}
		err := Load(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"getppid"}, Action: specs.ActKillProcess},
		}})
		if err != nil {
			return 1, err
		}
		unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		return 3, errors.New("survived getppid")
	}
	return 1, fmt.Errorf("no scenario %q", name)
}

// probe loads a filter with load, then tries the syscalls Docker's profile
// must refuse and prints a report.
func probe(load func() error) (int, error) {
	start := time.Now()
	if err := load(); err != nil {
		return 1, err
	}
	r := report{Results: map[string]string{}, LoadMicros: time.Since(start).Microseconds()}
	outcome := func(name string, errno syscall.Errno) {
		if errno == 0 {
			r.Results[name] = "ok"
		} else {
			r.Results[name] = unix.ErrnoName(errno)
		}
	}
	session := unix.KEY_SPEC_SESSION_KEYRING
	_, _, e := unix.RawSyscall(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(session), 0)
	outcome("keyctl", e)
	outcome("unshare", errnoOf(unix.Unshare(unix.CLONE_NEWUSER)))
	// A target that does not exist: should the filter let mount through,
	// it fails with ENOENT instead of mounting anything.
	outcome("mount", errnoOf(unix.Mount("none", "/nonexistent-seccomp-test", "tmpfs", 0, "")))
	_, _, e = unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0)
	outcome("getpid", e)
	_, _, e = unix.RawSyscall(1000, 0, 0, 0)
	outcome("syscall1000", e)

	tasks, err := os.ReadDir("/proc/thread-self/..")
	if err != nil {
		return 1, err
	}
	for _, t := range tasks {
		st, err := os.ReadFile(filepath.Join("/proc/self/task", t.Name(), "status"))
		if err != nil {
			continue // The thread exited.
		}
		r.Threads++
		if strings.Contains(string(st), "\nSeccomp:\t2\n") && strings.Contains(string(st), "\nNoNewPrivs:\t1\n") {
			r.Filtered++
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return 1, err
	}
	return 0, nil
}

// errnoOf is the errno in err, or 0.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	if err != nil {
		return syscall.EINVAL
	}
	return 0
}

// runChild runs scenario name in a re-executed test binary.
func runChild(t *testing.T, name string, env ...string) (*report, *os.ProcessState, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("starting child %s: %v", name, err)
	}
	if stdout.Len() == 0 {
		return nil, cmd.ProcessState, stderr.String()
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("child %s printed %q: %v (stderr %s)", name, stdout.String(), err, stderr.String())
	}
	return &r, cmd.ProcessState, stderr.String()
}

func TestLoadInChild(t *testing.T) {
	f, err := Compile(dockerDefault(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	filterFile := filepath.Join(t.TempDir(), "filter.bpf")
	if err := os.WriteFile(filterFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	dockerWant := map[string]string{
		"keyctl": "EPERM", "unshare": "EPERM", "mount": "EPERM",
		"getpid": "ok", "syscall1000": "ENOSYS",
	}
	tests := []struct {
		scenario string
		env      []string
		want     map[string]string
	}{
		{"docker-default", nil, dockerWant},
		{"marshalled", []string{filterFileEnv + "=" + filterFile}, dockerWant},
		// Allows everything else: the controls show that the EPERMs above
		// come from the filter (unshare(CLONE_NEWUSER) in a multi-threaded
		// process is EINVAL, mount on a missing target ENOENT for root).
		{"errno-getpid", nil, errnoGetpidWant()},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			r, ps, stderr := runChild(t, tt.scenario, tt.env...)
			if !ps.Success() || r == nil {
				t.Fatalf("child %s: %v, stderr:\n%s", tt.scenario, ps, stderr)
			}
			for k, want := range tt.want {
				if got := r.Results[k]; got != want {
					t.Errorf("%s: %s, want %s", k, got, want)
				}
			}
			if r.Threads < 2 || r.Filtered != r.Threads {
				t.Errorf("%d of %d threads filtered with no_new_privs, want all (and more than one)", r.Filtered, r.Threads)
			}
			t.Logf("Load took %dµs; results %v", r.LoadMicros, r.Results)
		})
	}
}

func errnoGetpidWant() map[string]string {
	want := map[string]string{"getpid": "ENOSYS", "syscall1000": "ENOSYS", "unshare": "EINVAL"}
	if os.Geteuid() == 0 {
		want["mount"] = "ENOENT"
	}
	return want
}

func TestKillProcessInChild(t *testing.T) {
	_, ps, stderr := runChild(t, "kill-getppid")
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
		t.Fatalf("child ended with %v, want death by SIGSYS; stderr:\n%s", ps, stderr)
	}
}
