package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestBuildDockerfileOutsideContext builds, through the real daemon, with
// a Dockerfile outside the context (docker build -f /elsewhere/Dockerfile
// CTX) and one on stdin (-f -): the CLI sends them by content, an error
// in one names its path and line, and the daemon still refuses to read a
// Dockerfile path outside the context itself.
func TestBuildDockerfileOutsideContext(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	ctx, elsewhere := t.TempDir(), t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(ctx, "a"), "from the context\n")
	good := filepath.Join(elsewhere, "Dockerfile.dev")
	write(good, "FROM busybox\nCOPY a /a\n")
	bad := filepath.Join(elsewhere, "Dockerfile.bad")
	write(bad, "FROM busybox\nCOPY missing /m\n")

	t.Run("-f outside the context", func(t *testing.T) {
		if r := d.Exec(buildTimeout, nil, "build", "-t", "outside", "-f", good, ctx); r.Code != 0 {
			t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
		}
		if out := d.OK(t, "run", "--rm", "outside", "cat", "/a"); out != "from the context\n" {
			t.Errorf("/a = %q, want the context's file", out)
		}
	})
	t.Run("an error names the path and line", func(t *testing.T) {
		r := d.Exec(buildTimeout, nil, "build", "-t", "bad", "-f", bad, ctx)
		if r.Code != 125 || !strings.Contains(r.Stderr, bad+":2:") {
			t.Errorf("%v, want exit 125 and an error at %s:2", r, bad)
		}
	})
	t.Run("-f -", func(t *testing.T) {
		r := d.Exec(buildTimeout, strings.NewReader("FROM busybox\nCOPY a /b\n"), "build", "-t", "stdin", "-f", "-", ctx)
		if r.Code != 0 {
			t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
		}
		if out := d.OK(t, "run", "--rm", "stdin", "cat", "/b"); out != "from the context\n" {
			t.Errorf("/b = %q, want the context's file", out)
		}
	})
	t.Run("the daemon reads no path outside the context", func(t *testing.T) {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := d.Client.Build(c, api.BuildRequest{Tags: []string{"refused"}, ContextDir: ctx, Dockerfile: good}, func(api.Progress) {})
		if err == nil || !strings.Contains(err.Error(), "outside the build context") {
			t.Errorf("a request naming %s without its content: %v, want it refused as outside the build context", good, err)
		}
	})
}
