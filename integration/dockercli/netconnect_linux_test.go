package dockercli

import (
	"slices"
	"strings"
	"testing"
)

// TestNetworkConnect: run --network-alias on a user network, network
// connect --alias of a running container to a second network (its names
// resolve there at once), inspect listing both networks, disconnect, and
// network prune removing only the unused network.
func TestNetworkConnect(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "network", "create", "front")
	c.ok(t, "network", "create", "back")
	c.ok(t, "network", "create", "unused")
	c.ok(t, "run", "-d", "--name", "db", "--network", "back", "--network-alias", "database", "busybox", "sleep", "300")
	c.ok(t, "run", "-d", "--name", "web", "--network", "front", "busybox", "sleep", "300")

	// web is not on back yet: database does not resolve for it.
	if r := c.run(nil, nil, "exec", "web", "nslookup", "database"); r.code == 0 {
		t.Errorf("web resolved database before being connected to back: %v", r)
	}
	c.ok(t, "network", "connect", "--alias", "frontend", "back", "web")
	for _, name := range []string{"database", "db"} {
		if r := c.run(nil, nil, "exec", "web", "nslookup", name); r.code != 0 || !strings.Contains(r.stdout, "Address") {
			t.Errorf("web cannot resolve %s after network connect: %v", name, r)
		}
	}
	// The alias given at connect and the short id answer on back.
	webID := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.Id}}", "web"))[:12]
	for _, name := range []string{"frontend", webID} {
		if r := c.run(nil, nil, "exec", "db", "nslookup", name); r.code != 0 || !strings.Contains(r.stdout, "Address") {
			t.Errorf("db cannot resolve web as %s: %v", name, r)
		}
	}
	nets := lines(c.ok(t, "inspect", "-f", "{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{$e.Aliases}}\n{{end}}", "web"))
	if len(nets) != 2 || !strings.HasPrefix(nets[0], "back [frontend ") || !strings.HasPrefix(nets[1], "front [") {
		t.Errorf("inspect of web's networks: %q, want back (alias frontend) and front", nets)
	}
	if r := c.run(nil, nil, "network", "connect", "back", "web"); r.code == 0 {
		t.Errorf("a second connect to the same network succeeded: %v", r)
	}

	c.ok(t, "network", "disconnect", "back", "web")
	if r := c.run(nil, nil, "exec", "web", "nslookup", "database"); r.code == 0 {
		t.Errorf("web still resolves database after network disconnect: %v", r)
	}
	if r := c.run(nil, nil, "network", "disconnect", "front", "web"); r.code == 0 {
		t.Errorf("web was disconnected from its first network: %v", r)
	}

	pruned := c.ok(t, "network", "prune", "-f")
	if !strings.Contains(pruned, "unused") || strings.Contains(pruned, "front") || strings.Contains(pruned, "back") {
		t.Errorf("network prune: %q, want only unused removed", pruned)
	}
	c.ok(t, "rm", "-f", "web", "db")
	c.ok(t, "network", "rm", "front", "back")
	if got := lines(c.ok(t, "network", "ls", "--format", "{{.Name}}")); slices.ContainsFunc(got, func(n string) bool {
		return n == "front" || n == "back" || n == "unused"
	}) {
		t.Errorf("networks left: %q", got)
	}
}
