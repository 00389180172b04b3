package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestBuilderPrune: builder prune forgets the build cache (the next build
// runs its steps again) and keeps the images.
func TestBuilderPrune(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	dir := filepath.Join(d.Dir, "ctx-cached")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	df := "FROM " + bb + "\nRUN echo cached > /f\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func() string {
		t.Helper()
		r := d.Exec(buildTimeout, nil, "build", "-t", "cached", dir)
		if r.Code != 0 {
			t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
		}
		return r.Stdout + r.Stderr
	}
	build()
	if out := build(); !strings.Contains(out, "CACHED") {
		t.Fatalf("the second build did not use the cache:\n%s", out)
	}
	out := d.OK(t, "builder", "prune", "-f")
	if !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("builder prune printed %q", out)
	}
	if got := d.OK(t, "run", "--rm", "cached", "cat", "/f"); got != "cached\n" {
		t.Errorf("the image after builder prune reads %q", got)
	}
	if out := build(); strings.Contains(out, "CACHED") {
		t.Errorf("a build after builder prune used the cache:\n%s", out)
	}
}
