package network

import (
	"slices"
	"strings"
	"testing"
)

// TestSystemPrune checks Docker's `system prune`: the stopped containers
// go, then the networks no container is on (those of the containers just
// removed too); a running container's network and the predefined ones
// stay; volumes only with --volumes, and then only the anonymous ones no
// container uses.
func TestSystemPrune(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	for _, n := range []string{"idle", "stale", "held"} {
		d.OK(t, "network", "create", n)
	}
	d.OK(t, "run", "-d", "--name", "runner", "--network", "held", img, "sleep", "1000")
	d.OK(t, "run", "--name", "stopped", "--network", "stale", "-v", "/scratch", "-v", "keep:/keep", img, "true")
	anon := strings.TrimSpace(d.OK(t, "inspect", "-f", `{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}`, "stopped"))
	if len(anon) != 64 {
		t.Fatalf("the anonymous volume of -v /scratch: %q", anon)
	}
	stopped := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.Id}}", "stopped"))

	out := d.OK(t, "system", "prune", "-f")
	deleted := strings.Fields(out)
	for _, want := range []string{stopped, "idle", "stale"} {
		if !slices.Contains(deleted, want) {
			t.Errorf("system prune printed %q, want %s deleted", out, want)
		}
	}
	if slices.Contains(deleted, anon) || slices.Contains(deleted, "held") {
		t.Errorf("system prune without --volumes printed %q", out)
	}
	if got := strings.Fields(d.OK(t, "network", "ls", "--format", "{{.Name}}")); !slices.Equal(got, []string{"bridge", "held", "host", "none"}) {
		t.Errorf("networks after system prune: %q", got)
	}
	if got := strings.Fields(d.OK(t, "ps", "-a", "--format", "{{.Names}}")); !slices.Equal(got, []string{"runner"}) {
		t.Errorf("containers after system prune: %q", got)
	}
	if got := strings.Fields(d.OK(t, "volume", "ls", "-q")); !slices.Contains(got, anon) || !slices.Contains(got, "keep") {
		t.Errorf("volumes after system prune without --volumes: %q", got)
	}

	out = d.OK(t, "system", "prune", "-f", "--volumes")
	if !slices.Contains(strings.Fields(out), anon) {
		t.Errorf("system prune --volumes printed %q, want %s deleted", out, anon)
	}
	if got := strings.Fields(d.OK(t, "volume", "ls", "-q")); !slices.Equal(got, []string{"keep"}) {
		t.Errorf("volumes after system prune --volumes: %q, want only the named one", got)
	}
	d.OK(t, "rm", "-f", "runner")
	d.OK(t, "volume", "rm", "keep")
	d.OK(t, "network", "rm", "held")
}
