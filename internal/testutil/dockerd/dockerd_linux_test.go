package dockerd

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestNew starts a dockerd in a subtest and checks that, once the
// subtest's cleanup ran, nothing of it is left: its processes and its
// directory are gone.
func TestNew(t *testing.T) {
	var dir string
	var pids []int
	t.Run("start", func(t *testing.T) {
		d := New(t)
		dir, pids = d.Dir, []int{d.Pid()}
		if pid := d.ContainerdPid(); pid > 0 {
			pids = append(pids, pid)
		}
		if out := d.MustDocker(t, "version", "--format", "{{.Server.Os}}"); out != "linux" {
			t.Errorf("docker version says the server's OS is %q", out)
		}
		if r := d.Docker(t, "info", "--format", "{{.DockerRootDir}}"); r.Code != 0 || !strings.HasPrefix(r.Stdout, d.Dir+"/") {
			t.Errorf("want dockerd's data root under %s: %v", d.Dir, r)
		}
	})
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still runs after the cleanup", pid)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s is still there after the cleanup", dir)
	}
}
