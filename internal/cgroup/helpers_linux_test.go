package cgroup

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// requireRoot skips tests that create real cgroups.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: creates cgroups under /sys/fs/cgroup")
	}
}

// testID returns a fresh container id, and checks when the test ends
// that no hierarchy still holds /container-runtime/<id>.
func testID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	id := "test-" + hex.EncodeToString(b)
	// Registered first, so it runs after every other cleanup of the test.
	t.Cleanup(func() { assertNoCgroupLeft(t, id) })
	return id
}

// assertNoCgroupLeft checks every cgroup and cgroup2 mount of this host for
// the default cgroup of container id.
func assertNoCgroupLeft(t testing.TB, id string) {
	t.Helper()
	for _, mnt := range cgroupMounts(t) {
		p := filepath.Join(mnt, defaultParent, id)
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cgroup leaked: %s (stat: %v)", p, err)
		}
	}
}

// cgroupMounts lists the mount points of every cgroup hierarchy.
func cgroupMounts(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mnts []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		// "36 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
		fields := strings.Fields(s.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+1 >= len(fields) {
			continue
		}
		if fs := fields[sep+1]; fs == "cgroup" || fs == "cgroup2" {
			mnts = append(mnts, fields[4])
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return mnts
}

// child is a process the test started, held at a `read` on its stdin until
// release, so that it does nothing before it is inside its cgroup.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout strings.Builder
	stderr strings.Builder
}

// startChild starts `busybox sh -c 'read _; <script>'`. The process is
// killed at the end of the test if it is still running.
func startChild(t testing.TB, script string) *child {
	t.Helper()
	c := &child{cmd: exec.Command("/bin/busybox", "sh", "-c", "read _; "+script)}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	// Grandchildren may keep the output pipes open; Wait gives up on them
	// after this long instead of waiting for them to exit.
	c.cmd.WaitDelay = time.Second
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting busybox: %v", err)
	}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// release lets the child's script run.
func (c *child) release(t testing.TB) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.stdin.Close()
}

// kill kills the child and reaps it.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// signaled reports the signal that ended the waited-for child, if any.
func (c *child) signaled() (syscall.Signal, bool) {
	ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}

// newManager creates a manager for a fresh test container and makes sure
// its cgroup is gone at the end of the test: every process still inside
// (descendants of the test's children) is killed, then Destroy runs.
func newManager(t testing.TB, id string, r *specs.LinuxResources) Manager {
	t.Helper()
	m, err := New(id, "", r)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		killAll(t, m)
		if err := m.Destroy(); err != nil {
			t.Errorf("Destroy: %v", err)
		}
	})
	return m
}

// killAll SIGKILLs every process left in m's cgroup. Only processes the
// test started (and their children) are ever in a test cgroup.
func killAll(t testing.TB, m Manager) {
	t.Helper()
	pids, err := m.Pids()
	if err != nil {
		return // never created, or already removed
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// withDefaultDevices is r with the deny-all rule and runc's default
// allowed devices prepended, as a container spec would have them.
func withDefaultDevices(r *specs.LinuxResources) *specs.LinuxResources {
	r.Devices = append([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, DefaultDeviceRules()...)
	return r
}

// cgroupFile reads a file of the cgroup directory dir, trimmed.
func cgroupFile(t testing.TB, dir, name string) string {
	t.Helper()
	return strings.TrimSpace(readFile(t, filepath.Join(dir, name)))
}
