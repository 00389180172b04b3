package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestDockerfileContent checks a Dockerfile given by content (the CLI's
// -f outside the context, or -f -): it builds in the context, nothing is
// read from its path, and its errors name that path and the line.
func TestDockerfileContent(t *testing.T) {
	if _, err := normalizeOptions(Options{Dockerfile: "/x/Dockerfile", DockerfileContent: []byte("FROM busybox\n")}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("content without a context: %v, want ErrInvalidArgument", err)
	}
	opts, err := normalizeOptions(Options{ContextDir: "/ctx", Dockerfile: "rel/Dockerfile", DockerfileContent: []byte("FROM busybox\n")})
	if err != nil || opts.Dockerfile != "rel/Dockerfile" {
		t.Errorf("a name given with content became %q (%v), want it kept", opts.Dockerfile, err)
	}

	e := newTestEnv(t)
	ctx := newContext(t, "FROM not-this-one\n", map[string]string{"a": "from the context"})
	// The path names a file the builder must not read: its content would
	// fail the build.
	elsewhere := filepath.Join(t.TempDir(), "Dockerfile.dev")
	if err := os.WriteFile(elsewhere, []byte("NOT A DOCKERFILE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	img, _ := e.mustBuild(t, Options{ContextDir: ctx, Dockerfile: elsewhere,
		DockerfileContent: []byte("FROM busybox\nCOPY a /a\n")})
	if got := e.readFile(t, img, "/a"); got != "from the context" {
		t.Errorf("/a = %q, want the context's file", got)
	}

	_, _, err = e.build(t, Options{ContextDir: ctx, Dockerfile: elsewhere,
		DockerfileContent: []byte("FROM busybox\nCOPY missing /m\n")})
	if err == nil || !strings.HasPrefix(err.Error(), elsewhere+":2: ") {
		t.Errorf("error %v, want it to start with %s:2:", err, elsewhere)
	}
}
