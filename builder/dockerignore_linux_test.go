package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestDockerIgnoreReadInsideContext checks how the daemon, as root,
// reads a client's .dockerignore: a symlink cannot make it parse a host
// file (nor be silently dropped, which would copy what it excludes), a
// FIFO cannot block the build, and the size is bounded.
func TestDockerIgnoreReadInsideContext(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "ignore")
	if err := os.WriteFile(outside, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, ctx string)
		// ignored is a path the rules must exclude; want is the start of
		// the error, "" for none.
		ignored, want string
	}{
		{"absent", func(*testing.T, string) {}, "", ""},
		{"regular", func(t *testing.T, ctx string) {
			writeTree(t, ctx, map[string]string{".dockerignore": "*.key\n"})
		}, "id.key", ""},
		{"symlink inside the context", func(t *testing.T, ctx string) {
			writeTree(t, ctx, map[string]string{"rules/ignore": "*.key\n"})
			symlink(t, "rules/ignore", filepath.Join(ctx, ".dockerignore"))
		}, "id.key", ""},
		{"absolute symlink resolved inside the context", func(t *testing.T, ctx string) {
			writeTree(t, ctx, map[string]string{"rules/ignore": "*.key\n"})
			symlink(t, "/rules/ignore", filepath.Join(ctx, ".dockerignore"))
		}, "id.key", ""},
		{"symlink out of the context", func(t *testing.T, ctx string) {
			symlink(t, outside, filepath.Join(ctx, ".dockerignore"))
		}, "", "it is a symlink to nothing inside the context"},
		{"dotdot symlink out of the context", func(t *testing.T, ctx string) {
			symlink(t, "../../../../../../../.."+outside, filepath.Join(ctx, ".dockerignore"))
		}, "", "it is a symlink to nothing inside the context"},
		{"fifo", func(t *testing.T, ctx string) {
			if err := unix.Mkfifo(filepath.Join(ctx, ".dockerignore"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "", "not a regular file"},
		{"directory", func(t *testing.T, ctx string) {
			writeTree(t, ctx, map[string]string{".dockerignore/": ""})
		}, "", "not a regular file"},
		{"too large", func(t *testing.T, ctx string) {
			writeTree(t, ctx, map[string]string{".dockerignore": strings.Repeat("#\n", maxDockerignoreBytes/2+1)})
		}, "", "is larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.TempDir()
			tc.setup(t, ctx)
			pm, err := readDockerignore(ctx)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Fatalf("error %v, want an invalid argument saying %q", err, tc.want)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("the error quotes the host file: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.ignored == "" {
				if pm != nil {
					t.Errorf("rules %v without a .dockerignore", pm.Patterns())
				}
				return
			}
			if pm == nil {
				t.Fatal("no rules read")
			}
			if ok, err := pm.MatchesOrParentMatches(tc.ignored); err != nil || !ok {
				t.Errorf("%s is not excluded (%v)", tc.ignored, err)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
