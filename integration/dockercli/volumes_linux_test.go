package dockercli

import (
	"slices"
	"strings"
	"testing"
)

// TestVolumes: volume create, ls, inspect; run -v NAME:/path keeps data
// across containers; --mount type=volume read-only; an anonymous volume
// (-v /path) goes with rm -v; --volumes-from; rm of a volume in use is
// refused; prune and rm leave nothing.
func TestVolumes(t *testing.T) {
	c := newCLI(t)
	if got := c.ok(t, "volume", "create", "--label", "app=test", "data"); got != "data\n" {
		t.Errorf("docker volume create: %q", got)
	}
	if got := lines(c.ok(t, "volume", "ls", "--format", "{{.Name}} {{.Driver}}")); !slices.Contains(got, "data local") {
		t.Errorf("docker volume ls: %q", got)
	}
	if got := c.ok(t, "volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.app}}", "data"); got != "data local local test\n" {
		t.Errorf("docker volume inspect -f: %q", got)
	}
	if got := lines(c.ok(t, "volume", "ls", "-q", "--filter", "label=app=test")); !slices.Equal(got, []string{"data"}) {
		t.Errorf("docker volume ls --filter label: %q", got)
	}

	c.ok(t, "run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/file")
	if got := c.ok(t, "run", "--rm", "--mount", "type=volume,source=data,target=/d,readonly", "busybox", "cat", "/d/file"); got != "kept\n" {
		t.Errorf("a second container reads %q from the volume", got)
	}
	if r := c.run(nil, nil, "run", "--rm", "--mount", "type=volume,source=data,target=/d,readonly", "busybox", "touch", "/d/x"); r.code == 0 {
		t.Errorf("a read-only volume mount was written: %v", r)
	}

	// An anonymous volume, shared with --volumes-from, removed with rm -v.
	c.ok(t, "run", "-d", "--name", "owner", "-v", "/anon", "-v", "data:/named", "busybox", "sh", "-c", "echo anon > /anon/f; sleep 300")
	mounts := c.ok(t, "inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}};{{end}}", "owner")
	if !strings.Contains(mounts, "volume data /named;") || !strings.Contains(mounts, " /anon;") {
		t.Errorf("inspect of the volumes' mounts: %q", mounts)
	}
	if got := lines(c.ok(t, "system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")); !slices.Contains(got, "Local Volumes 2 2") {
		t.Errorf("docker system df: %q, want 2 volumes, both in use", got)
	}
	anon := ""
	for _, m := range strings.Split(mounts, ";") {
		if f := strings.Fields(m); len(f) == 3 && f[2] == "/anon" {
			anon = f[1]
		}
	}
	if got := c.ok(t, "run", "--rm", "--volumes-from", "owner:ro", "busybox", "sh", "-c", "cat /named/file; until [ -s /anon/f ]; do sleep 0.1; done; cat /anon/f"); got != "kept\nanon\n" {
		t.Errorf("--volumes-from reads %q", got)
	}
	if r := c.run(nil, nil, "volume", "rm", "data"); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("docker volume rm of a volume in use: %v", r)
	}
	c.ok(t, "rm", "-f", "-v", "owner")
	if got := lines(c.ok(t, "volume", "ls", "-q")); anon == "" || slices.Contains(got, anon) || !slices.Contains(got, "data") {
		t.Errorf("after rm -v the volumes are %q: the anonymous %q should be gone, data kept", got, anon)
	}

	c.ok(t, "volume", "create", "spare")
	pruned := c.ok(t, "volume", "prune", "-f")
	if !strings.Contains(pruned, "spare") || !strings.Contains(pruned, "data") {
		t.Errorf("docker volume prune (API 1.41: every unused volume): %q", pruned)
	}
	if got := strings.TrimSpace(c.ok(t, "volume", "ls", "-q")); got != "" {
		t.Errorf("volumes left: %q", got)
	}
}
