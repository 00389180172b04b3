package runtime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkCwdEscape fails t if a container process whose cwd was
// /proc/self/fd/N reached the host: it must have been refused with an
// error naming process.cwd, or run with its cwd inside the container and
// without opening the host's core_pattern (probe cwd-escape prints the
// cwd, then "ok" if the open for writing succeeded).
func checkCwdEscape(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil {
		if !strings.Contains(err.Error(), "process.cwd") {
			t.Errorf("refused without naming process.cwd: %v", err)
		}
		return
	}
	lines := strings.Split(out, "\n")
	if lines[len(lines)-1] == "ok" {
		t.Fatalf("the container opened the host's core_pattern for writing through its cwd: %q", out)
	}
	if cwd := lines[0]; !strings.HasPrefix(cwd, "/") || strings.Contains(cwd, "unreachable") {
		t.Fatalf("the container's cwd is outside its root: %q", out)
	}
}

// TestCVE_2024_21626_WorkdirProcSelfFd guards against CVE-2024-21626
// (runc's "Leaky Vessels"): a process.cwd of /proc/self/fd/N, where N is a
// directory descriptor the runtime holds on the host, left the process
// with its cwd in the host's tree (here: the host's /proc/<pid>/fd, from
// which ../../sys/kernel/core_pattern is the host's). Every N from 3 to
// 20 is tried in run (with and without the minimal init), in create+start
// and in exec.
func TestCVE_2024_21626_WorkdirProcSelfFd(t *testing.T) {
	b := newTestBundle(t, "/bin/probe", "cwd-escape")
	for n := 3; n <= 20; n++ {
		cwd := "/proc/self/fd/" + strconv.Itoa(n)
		for _, withInit := range []bool{false, true} {
			t.Run(fmt.Sprintf("run/init=%v/%d", withInit, n), func(t *testing.T) {
				b.spec.Process.Cwd = cwd
				b.init = withInit
				out, _, err := b.tryRun(testID(t))
				checkCwdEscape(t, out, err)
			})
		}
		t.Run(fmt.Sprintf("create-start/%d", n), func(t *testing.T) {
			b.spec.Process.Cwd = cwd
			id := testID(t)
			c, err := b.tryCreate(id, CreateOptions{})
			if err != nil {
				checkCwdEscape(t, "", err)
				return
			}
			t.Cleanup(func() { c.cleanup(t) })
			if err := b.rt.Start(context.Background(), id); err != nil {
				checkCwdEscape(t, "", fmt.Errorf("process.cwd: start: %w", err))
				return
			}
			c.wait(t)
			checkCwdEscape(t, c.out.all(t), nil)
		})
	}
	b.spec.Process.Cwd = "/"
	b.spec.Process.Args = []string{"/bin/sleep", "60"}
	c := b.create(t, testID(t), CreateOptions{})
	c.start(t)
	for n := 3; n <= 20; n++ {
		t.Run(fmt.Sprintf("exec/%d", n), func(t *testing.T) {
			p := processSpec("/bin/probe", "cwd-escape")
			p.Cwd = "/proc/self/fd/" + strconv.Itoa(n)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			out := collect(r)
			ep, err := b.rt.Exec(context.Background(), c.id, p, ExecOptions{Stdio: Stdio{Stdout: w, Stderr: w}})
			w.Close()
			if err != nil {
				out.all(t)
				checkCwdEscape(t, "", err)
				return
			}
			ep.Wait()
			checkCwdEscape(t, out.all(t), nil)
		})
	}
}

// TestCwdCreatedInsideRoot checks that a missing cwd is created, and that
// a symlink in the image on the way resolves inside the container's root.
func TestCwdCreatedInsideRoot(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "pwd")
	if err := os.MkdirAll(filepath.Join(b.rootfs, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../../tmp", filepath.Join(b.rootfs, "up")); err != nil {
		t.Fatal(err)
	}
	name := testID(t)
	b.spec.Root.Readonly = false
	b.spec.Process.Cwd = "/up/" + name + "/dir"
	out, st := b.run(t, testID(t))
	if want := "/tmp/" + name + "/dir"; out != want || st.Code != 0 {
		t.Errorf("pwd: %q (%+v), want %s", out, st, want)
	}
	if _, err := os.Stat(filepath.Join(b.rootfs, "tmp", name, "dir")); err != nil {
		t.Errorf("the cwd was not created inside the rootfs: %v", err)
	}
	if _, err := os.Stat(filepath.Join("/tmp", name)); err == nil {
		os.RemoveAll(filepath.Join("/tmp", name))
		t.Errorf("the cwd was created on the host, in /tmp/%s", name)
	}
}
