package dockercli

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestDockerPy runs testdata/dockerpy.py with Debian's python3-docker
// against the daemon: create, start, wait, logs, exec, remove, build.
func TestDockerPy(t *testing.T) {
	c := newCLI(t)
	// Debian's interpreter, where python3-docker is installed.
	python := testutil.RequireTool(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import docker").Run(); err != nil {
		testutil.Missing(t, "needs python3-docker (scripts/deps-test-debian installs it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-u", "testdata/dockerpy.py")
	cmd.Env = []string{"DOCKER_HOST=unix://" + c.d.Socket, "DOCKER_CONFIG=" + c.config, "PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dockerpy.py: %v\n%s\ndaemon log:\n%s", err, out, tail(c.d.Log(), 30))
	}
	for _, step := range []string{"ok ping 1.57", "ok create-start-wait-logs-remove", "ok exec", "ok build"} {
		if !strings.Contains(string(out), step+"\n") {
			t.Errorf("dockerpy.py did not report %q:\n%s", step, out)
		}
	}
}
