package builder

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// TestFromPullsMissingImage checks Builder.Pull: called for a FROM image
// the store lacks (once: the pulled image is then in the store), not for
// stages or images present, and its failure is the build's.
func TestFromPullsMissingImage(t *testing.T) {
	e := newTestEnv(t)
	const remote = "127.0.0.1:5000/x/base"
	var pulled []string
	e.builder.Pull = func(ctx context.Context, ref string) (image.Image, error) {
		pulled = append(pulled, ref)
		// Stands for a registry: the "pulled" image is busybox.
		if err := e.store.Tag(ctx, e.busybox.ID.String(), ref); err != nil {
			return image.Image{}, err
		}
		return e.store.Image(ctx, ref)
	}
	dir := newContext(t, "FROM "+remote+" AS a\nCOPY x /x\nFROM busybox\nCOPY --from=a /x /y\n", map[string]string{"x": "x\n"})
	img, out := e.mustBuild(t, Options{Dockerfile: filepath.Join(dir, "Dockerfile")})
	if !slices.Equal(pulled, []string{remote}) {
		t.Fatalf("pulled %q, want only %q", pulled, remote)
	}
	if !strings.Contains(out, "Pulling "+remote) {
		t.Errorf("the progress does not say what is pulled:\n%s", out)
	}
	if e.lstat(img, "/y") == nil || e.lstat(img, "/bin/busybox") == nil {
		t.Error("the image lacks the pulled base's files or the copied one")
	}
	e.mustBuild(t, Options{Dockerfile: filepath.Join(dir, "Dockerfile")})
	if len(pulled) != 1 {
		t.Errorf("the second build pulled again: %q", pulled)
	}

	t.Run("failure", func(t *testing.T) {
		e.builder.Pull = func(ctx context.Context, ref string) (image.Image, error) {
			return image.Image{}, errors.Join(errdefs.ErrUnauthorized, errors.New("wrong credentials"))
		}
		dir := newContext(t, "FROM 127.0.0.1:5000/x/private\n", nil)
		_, _, err := e.build(t, Options{Dockerfile: filepath.Join(dir, "Dockerfile")})
		if err == nil {
			t.Fatal("the build succeeded")
		}
		if !errors.Is(err, errdefs.ErrUnauthorized) || !strings.Contains(err.Error(), "pulling it failed") {
			t.Errorf("error %v: want the pull's, tagged unauthorized", err)
		}
	})
}
