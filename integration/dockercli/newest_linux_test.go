package dockercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewestClient is the version matrix of the docker CLI: a smoke run
// (version negotiation, run --rm, run -d, ps --format, exec, cp both ways,
// inspect -f, rm -f, builder prune, system prune) with each client present. The debian leg (API 1.41)
// always runs and fails under CI without its client; the newest leg
// (/usr/local/bin/docker, e.g. 28.x at API 1.50) exists only on machines
// where that binary is installed, and the test logs when it is absent.
func TestNewestClient(t *testing.T) {
	base := newCLI(t)
	legs := map[string]string{"debian": debianDocker}
	if _, err := os.Stat(newestDocker); err == nil {
		legs["newest"] = newestDocker
	} else {
		t.Logf("no leg for the newest client: %s is not installed (%v)", newestDocker, err)
	}
	for name, bin := range legs {
		t.Run(name, func(t *testing.T) {
			c := base.with(t, bin)
			ver := c.ok(t, "version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}}")
			t.Logf("%s: client and server API versions %s", bin, strings.TrimSpace(ver))
			if got := c.ok(t, "run", "--rm", "busybox", "echo", "hi"); got != "hi\n" {
				t.Errorf("run --rm: %q", got)
			}
			ctr := "smoke-" + name
			c.ok(t, "run", "-d", "--name", ctr, "busybox", "sleep", "300")
			if got := c.ok(t, "ps", "--filter", "name="+ctr, "--format", "{{.Names}} {{.State}}"); got != ctr+" running\n" {
				t.Errorf("ps --format: %q", got)
			}
			c.ok(t, "exec", ctr, "sh", "-c", "echo inside > /tmp/f")
			dir := t.TempDir()
			c.ok(t, "cp", ctr+":/tmp/f", filepath.Join(dir, "f"))
			if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "inside\n" {
				t.Errorf("cp out: %q %v", b, err)
			}
			c.ok(t, "cp", filepath.Join(dir, "f"), ctr+":/tmp/g")
			if got := c.ok(t, "exec", ctr, "cat", "/tmp/g"); got != "inside\n" {
				t.Errorf("cp in: %q", got)
			}
			if got := c.ok(t, "inspect", "-f", "{{.State.Running}} {{.HostConfig.IpcMode}}", ctr); got != "true private\n" {
				t.Errorf("inspect -f: %q", got)
			}
			c.ok(t, "rm", "-f", ctr)
			// Both prune the build cache (POST /build/prune).
			for _, prune := range [][]string{{"builder", "prune", "-f"}, {"system", "prune", "-f"}} {
				if got := c.ok(t, prune...); !strings.Contains(got, "Total reclaimed space:") {
					t.Errorf("docker %s: %q", strings.Join(prune, " "), got)
				}
			}
		})
	}
}
