package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestExec(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "echo from-init > /tmp/marker; echo ready; exec sleep 60")
	b.spec.Root.Readonly = false
	b.spec.Hostname = "exec-host"
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "ready")

	p := &specs.Process{
		Args: []string{"/bin/sh", "-c", `
			ps -o pid,comm
			cat /tmp/marker
			id -u; id -g; pwd; hostname
			echo "FOO=$FOO"
			grep ^CapEff /proc/self/status
			[ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo same-cgroup
			exit 5`},
		Env:  []string{"PATH=/bin", "FOO=bar"},
		Cwd:  "/tmp",
		User: specs.User{UID: 1000, GID: 1000},
	}
	out, st := c.execIn(t, p)
	if st != (ExitStatus{Code: 5}) {
		t.Errorf("exec exit status %+v, want code 5", st)
	}
	lines := strings.Split(out, "\n")
	// ps: a header, then the container's PID 1 (sleep), the shell and ps.
	var sawSleep bool
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "1" {
			sawSleep = f[1] == "sleep"
		}
	}
	if !sawSleep {
		t.Errorf("ps in the exec'd process does not show sleep as PID 1:\n%s", out)
	}
	for _, want := range []string{"from-init", "1000\n1000\n/tmp\nexec-host", "FOO=bar", "CapEff:\t0000000000000000", "same-cgroup"} {
		if !strings.Contains(out, want) {
			t.Errorf("exec output lacks %q:\n%s", want, out)
		}
	}

	// The container's own process is undisturbed.
	if st := c.state(t); st.Status != StatusRunning {
		t.Errorf("container after exec: %+v", st)
	}
	if err := b.rt.Kill(t.Context(), id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	if _, err := b.rt.Exec(t.Context(), id, processSpec("true"), ExecOptions{}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("exec into a stopped container: %v, want ErrConflict", err)
	}
}

func TestExecFailures(t *testing.T) {
	b := newTestBundle(t, "/bin/sleep", "60")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	if _, err := b.rt.Exec(t.Context(), id, processSpec("true"), ExecOptions{}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("exec into a created container: %v, want ErrConflict", err)
	}
	c.start(t)
	tests := []struct {
		name string
		p    *specs.Process
		want string
	}{
		{"no args", &specs.Process{Cwd: "/"}, "args"},
		{"missing binary", processSpec("/no/such/binary"), "/no/such/binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.rt.Exec(t.Context(), id, tt.p, ExecOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("exec: %v, want an error about %q", err, tt.want)
			}
		})
	}
	// A failed exec leaves the container running.
	if st := c.state(t); st.Status != StatusRunning {
		t.Errorf("container after failed execs: %+v", st)
	}
}

func TestExecWithInit(t *testing.T) {
	b := newTestBundle(t, "/bin/sleep", "60")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{Init: true})
	c.start(t)
	out, st := c.execIn(t, processSpec("/bin/sh", "-c", "cat /proc/2/comm; exit 4"))
	if out != "sleep" || st.Code != 4 {
		t.Errorf("exec under the minimal init: %q %+v, want sleep as PID 2 and code 4", out, st)
	}
	if err := b.rt.Kill(t.Context(), id, unix.SIGKILL, true); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st.Signal != 9 {
		t.Errorf("init after SIGKILL: %+v", st)
	}
}

// TestExecJoinsCgroups checks, from the host, that an exec'd process is in
// every cgroup of the container's init, both ways in (see cgroupJoin):
// born in the v2 cgroup, and writing itself into its cgroup.procs once
// clone3 was refused.
func TestExecJoinsCgroups(t *testing.T) {
	b := newTestBundle(t, "/bin/sleep", "60")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	initCgroups := readCgroups(t, c.state(t).Pid)
	for _, tt := range []struct {
		name        string
		noCloneInto bool
	}{
		{"born in the v2 cgroup", false},
		{"clone3 refused", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.rt.noCloneInto.Store(tt.noCloneInto)
			defer b.rt.noCloneInto.Store(false)
			p, err := b.rt.Exec(t.Context(), id, processSpec("/bin/sleep", "60"), ExecOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := readCgroups(t, p.Pid)
			unix.Kill(p.Pid, unix.SIGKILL)
			p.Wait()
			if got != initCgroups {
				t.Errorf("exec'd process's cgroups:\n%s\nwant the init's:\n%s", got, initCgroups)
			}
		})
	}
}

func readCgroups(t testing.TB, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCloneIntoRefused(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{fmt.Errorf("starting the container process: %w", &bornError{&os.PathError{Op: "fork/exec", Err: unix.ENOSYS}}), true},
		{fmt.Errorf("starting the container process: %w", &bornError{&os.PathError{Op: "fork/exec", Err: unix.E2BIG}}), true},
		{fmt.Errorf("starting the container process: %w", &bornError{&os.PathError{Op: "fork/exec", Err: unix.ENODEV}}), false},
		{fmt.Errorf("starting the container process: %w", &bornError{&os.PathError{Op: "fork/exec", Err: unix.EACCES}}), true},
		// A later step's EPERM (a usermap write, say) is not clone3's.
		{fmt.Errorf("writing the id maps: %w", unix.EPERM), false},
		{&processError{msg: "exec: no such file"}, false},
	} {
		if got := cloneIntoRefused(tt.err); got != tt.want {
			t.Errorf("cloneIntoRefused(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestCreateJoinsCgroups checks from the host that a container's init is
// in its cgroup in every hierarchy of its record, however the stage got
// there: born in the v2 cgroup, writing itself into it once clone3 was
// refused, or started by a launcher. Limits are set before it joins.
func TestCreateJoinsCgroups(t *testing.T) {
	for _, tt := range []struct {
		name        string
		noCloneInto bool
		launcher    bool
	}{
		{"born in the v2 cgroup", false, false},
		{"clone3 refused", true, false},
		{"through a launcher", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/true")
			b.spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: ptrTo[int64](42)}
			id := testID(t)
			watchLeaks(t, b, id)
			b.rt.noCloneInto.Store(tt.noCloneInto)
			defer b.rt.noCloneInto.Store(false)
			opts := CreateOptions{}
			if tt.launcher {
				opts.Launcher = &testLauncher{}
			}
			c := b.create(t, id, opts)
			rec, err := b.rt.load(id)
			if err != nil {
				t.Fatal(err)
			}
			got := readCgroups(t, rec.Pid)
			for ctrl, dir := range rec.CgroupPaths {
				rel := strings.TrimPrefix(dir, "/sys/fs/cgroup/")
				if ctrl == "" {
					rel = strings.TrimPrefix(rel, "unified")
				} else {
					rel = strings.TrimPrefix(rel, strings.SplitN(rel, "/", 2)[0])
				}
				if !strings.Contains(got, ":"+ctrl+":"+rel+"\n") && !(ctrl != "" && strings.Contains(got, ","+ctrl+":"+rel+"\n")) &&
					!(ctrl != "" && strings.Contains(got, ":"+ctrl+",")) {
					t.Errorf("the init is not in %s (%q):\n%s", dir, ctrl, got)
				}
			}
			if max, err := os.ReadFile(filepath.Join(rec.CgroupPaths["pids"], "pids.max")); err != nil || string(max) != "42\n" {
				t.Errorf("pids.max of the container's cgroup: %q, %v; want 42", max, err)
			}
			c.cleanup(t)
		})
	}
}
