package dockercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShell: the stock docker CLI sees Docker's Config.Shell: an image
// built with SHELL shows it in docker image inspect, an image FROM it
// inherits it and runs its shell-form RUN by it, and a container of it
// shows it in docker inspect.
func TestShell(t *testing.T) {
	c := newCLI(t)
	build := func(tag, dockerfile string) {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := c.run(nil, []string{"DOCKER_BUILDKIT=0"}, "build", "-t", tag, dir); r.code != 0 {
			t.Fatalf("docker build %s: %v", tag, r)
		}
	}
	// sh -x traces the commands it runs to stderr: the RUN saves its trace.
	build("xshell", "FROM busybox\n"+`SHELL ["/bin/sh", "-xc"]`+"\n")
	build("xchild", "FROM xshell\nRUN exec 2>/trace; echo traced\n")
	const want = `["/bin/sh","-xc"]`
	for _, ref := range []string{"xshell", "xchild"} {
		if got := strings.TrimSpace(c.ok(t, "image", "inspect", "-f", "{{json .Config.Shell}}", ref)); got != want {
			t.Errorf("docker image inspect %s: Config.Shell %s, want %s", ref, got, want)
		}
	}
	if got := c.ok(t, "run", "--rm", "xchild", "cat", "/trace"); !strings.Contains(got, "+ echo traced") {
		t.Errorf("the child's RUN was not run by the inherited sh -xc: /trace %q", got)
	}
	c.ok(t, "create", "--name", "xc", "xchild", "true")
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{json .Config.Shell}}", "xc")); got != want {
		t.Errorf("docker inspect xc: Config.Shell %s, want %s", got, want)
	}
	c.ok(t, "rm", "xc")
}
