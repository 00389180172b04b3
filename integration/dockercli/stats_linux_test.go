package dockercli

import (
	"strings"
	"testing"
)

// TestStatsUpdate: docker stats --no-stream reads a sample of the
// container's usage; docker update changes its limits and restart policy,
// and refuses a limit we do not enforce.
func TestStatsUpdate(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "run", "-d", "--name", "busy", "busybox", "sleep", "300")
	got := strings.TrimSpace(c.ok(t, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}", "busy"))
	if f := strings.Fields(got); len(f) < 3 || f[0] != "busy" || f[1] != "1" || strings.HasPrefix(f[2], "0B") {
		t.Errorf("docker stats --no-stream: %q, want the name, 1 process and some memory", got)
	}
	c.ok(t, "update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--restart", "always", "busy")
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}", "busy")); got != "67108864 500000000 always" {
		t.Errorf("after docker update: %q", got)
	}
	if r := c.run(nil, nil, "update", "--blkio-weight", "100", "busy"); r.code == 0 || !strings.Contains(r.stderr, "BlkioWeight") {
		t.Errorf("docker update --blkio-weight: %v, want a refusal naming BlkioWeight", r)
	}
	c.ok(t, "rm", "-f", "busy")
}
