package dockercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuilderPrune: docker builder prune and docker system prune (which
// prunes the build cache too) are answered; the cache is forgotten, so
// the next build runs its steps again.
func TestBuilderPrune(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN echo cached > /f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func() string {
		t.Helper()
		r := c.run(nil, []string{"DOCKER_BUILDKIT=0"}, "build", "-t", "cached", dir)
		if r.code != 0 {
			t.Fatalf("docker build: %v", r)
		}
		return r.stdout
	}
	build()
	if out := build(); !strings.Contains(out, "CACHED") {
		t.Fatalf("the second build did not use the cache:\n%s", out)
	}
	if out := c.ok(t, "builder", "prune", "-f"); !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("docker builder prune printed %q", out)
	}
	if out := build(); strings.Contains(out, "CACHED") {
		t.Errorf("a build after docker builder prune used the cache:\n%s", out)
	}
	if out := c.ok(t, "system", "prune", "-f"); !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("docker system prune printed %q", out)
	}
	if out := build(); strings.Contains(out, "CACHED") {
		t.Errorf("a build after docker system prune used the cache:\n%s", out)
	}
}
