package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestBuildDockerfileOutsideContext checks which Dockerfiles the CLI
// sends by content: one outside the context, one whose symlink leads out
// of it, and stdin (-f -); one inside goes by path only. Files that are
// not regular, too large or empty are refused here, with exit 125.
func TestBuildDockerfileOutsideContext(t *testing.T) {
	ctx, elsewhere := t.TempDir(), t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(ctx, "Dockerfile"), "FROM inside\n")
	outside := filepath.Join(elsewhere, "Dockerfile.dev")
	write(outside, "FROM outside\n")
	if err := os.Symlink(outside, filepath.Join(ctx, "link")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(elsewhere, "big"), strings.Repeat("#\n", maxDockerfileBytes))
	write(filepath.Join(elsewhere, "empty"), "")
	if err := syscall.Mkfifo(filepath.Join(elsewhere, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}

	d := newFakeDaemon(t)
	var got api.BuildRequest
	d.handle("POST /v1/build", func(w http.ResponseWriter, r *http.Request) {
		got = api.BuildRequest{}
		decode(t, r, &got)
		w.WriteHeader(200)
		w.Write([]byte(`{"id":"sha256:1"}` + "\n"))
	})
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        api.BuildRequest
	}{
		{"inside", "", []string{"-f", filepath.Join(ctx, "Dockerfile"), ctx},
			api.BuildRequest{Dockerfile: filepath.Join(ctx, "Dockerfile")}},
		{"outside", "", []string{"-f", outside, ctx},
			api.BuildRequest{Dockerfile: outside, DockerfileContent: "FROM outside\n"}},
		{"symlink out of the context", "", []string{"-f", filepath.Join(ctx, "link"), ctx},
			api.BuildRequest{Dockerfile: filepath.Join(ctx, "link"), DockerfileContent: "FROM outside\n"}},
		{"stdin", "FROM stdin\n", []string{"-f", "-", ctx},
			api.BuildRequest{Dockerfile: "stdin", DockerfileContent: "FROM stdin\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := d.run(tc.stdin, append([]string{"build", "-q", "-t", "x"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("code %d: %s", r.code, r.stderr)
			}
			if got.ContextDir != ctx || got.Dockerfile != tc.want.Dockerfile || got.DockerfileContent != tc.want.DockerfileContent {
				t.Errorf("request %+v, want dockerfile %q, content %q, context %s", got, tc.want.Dockerfile, tc.want.DockerfileContent, ctx)
			}
		})
	}
	t.Run("seed form through a symlink", func(t *testing.T) {
		r := d.run("", "build", "x", filepath.Join(ctx, "link"))
		if r.code != 0 || got.DockerfileContent != "FROM outside\n" || got.ContextDir != ctx {
			t.Errorf("code %d (%s), request %+v", r.code, r.stderr, got)
		}
	})

	for _, tc := range []struct {
		name, stdin, file, want string
	}{
		{"fifo", "", filepath.Join(elsewhere, "fifo"), "is not a regular file (a FIFO)"},
		{"directory", "", elsewhere, "is not a regular file (a directory)"},
		{"too large", "", filepath.Join(elsewhere, "big"), "is larger than 512 KiB"},
		{"empty", "", filepath.Join(elsewhere, "empty"), "is empty"},
		{"empty stdin", "", "-", "the Dockerfile stdin is empty"},
		{"missing", "", filepath.Join(elsewhere, "nope"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = api.BuildRequest{}
			r := d.run(tc.stdin, "build", "-t", "x", "-f", tc.file, ctx)
			if r.code != 125 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("code %d, stderr %q, want 125 and %q", r.code, r.stderr, tc.want)
			}
			if got.Tags != nil {
				t.Errorf("the daemon got a request: %+v", got)
			}
		})
	}
	if r := d.run("", "build", "-t", "x", "-f", "-", "-"); r.code != 125 || !strings.Contains(r.stderr, "stdin cannot be both the context and the Dockerfile") {
		t.Errorf("context -: %+v", r)
	}
}
