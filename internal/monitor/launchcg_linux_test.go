package monitor

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// v2Root is the cgroup2 mount: the unified hierarchy of a hybrid host or
// the only one.
func v2Root(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		var st unix.Statfs_t
		if unix.Statfs(p, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return p
		}
	}
	testutil.Missing(t, "no cgroup2 hierarchy is mounted")
	return ""
}

// TestLaunchInCgroup: a process launched in a cgroup v2 directory is born
// there (clone3 with CLONE_INTO_CGROUP): its first look at /proc/self
// finds it in that cgroup, with nothing having moved it.
func TestLaunchInCgroup(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: makes a cgroup")
	}
	name := "crt-launchcg-" + strconv.Itoa(os.Getpid())
	cg := filepath.Join(v2Root(t), name)
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		testutil.WaitFor(t, 5*time.Second, "the test cgroup to be removed", func() bool { return os.Remove(cg) == nil })
	})
	dir, err := os.OpenFile(cg, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	sh, err := os.Open("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	cfg := testConfig(t)
	m := startMonitor(t, cfg)
	out := filepath.Join(t.TempDir(), "cgroup")
	pid, err := m.LaunchInCgroup(sh, dir, []string{"sh", "-c", "cat /proc/self/cgroup > " + out + ".tmp; mv " + out + ".tmp " + out},
		[]string{"PATH=/usr/bin:/bin"}, nil, "/")
	if err != nil {
		t.Fatalf("LaunchInCgroup: %v", err)
	}
	killOnCleanup(t, pid)
	var got []byte
	testutil.WaitFor(t, 10*time.Second, "the launched process to write its cgroups", func() bool {
		got, err = os.ReadFile(out)
		return err == nil
	})
	if !strings.Contains(string(got), "0::/"+name+"\n") {
		t.Errorf("the launched process's cgroups:\n%s\nwant 0::/%s", got, name)
	}

	// A descriptor that is not a cgroup directory: clone3's errno comes
	// back, for the runtime to tell a refusal from other failures. (A
	// second monitor: one launch per monitor.)
	m2 := startMonitor(t, testConfig(t))
	_, err = m2.LaunchInCgroup(sh, sh, []string{"sh", "-c", "true"}, nil, nil, "/")
	var errno unix.Errno
	if err == nil || !errors.As(err, &errno) {
		t.Errorf("LaunchInCgroup with a file for a cgroup: %v; want clone3's errno", err)
	}
}
