package image

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestNameCandidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"busybox:latest", []string{"busybox:latest", "localhost/busybox:latest"}},
		{"busybox:1.36", []string{"busybox:1.36", "localhost/busybox:1.36"}},
		{"library/busybox:latest", []string{"library/busybox:latest", "busybox:latest"}},
		{"docker.io/library/busybox:latest", []string{"docker.io/library/busybox:latest", "busybox:latest"}},
		{"index.docker.io/library/busybox:latest", []string{"index.docker.io/library/busybox:latest", "busybox:latest"}},
		{"docker.io/busybox:latest", []string{"docker.io/busybox:latest", "busybox:latest"}},
		{"docker.io/team/app:v1", []string{"docker.io/team/app:v1", "team/app:v1"}},
		{"team/app:v1", []string{"team/app:v1", "localhost/team/app:v1"}},
		{"localhost/app:latest", []string{"localhost/app:latest", "app:latest"}},
		{"localhost/team/app:v1", []string{"localhost/team/app:v1", "team/app:v1"}},
		// Another registry's image is only ever itself.
		{"localhost:5000/app:latest", []string{"localhost:5000/app:latest"}},
		{"registry.example.com/library/app:latest", []string{"registry.example.com/library/app:latest"}},
		// A Hub path that reads as a host keeps docker.io/ in the store.
		{"docker.io/localhost/app:latest", []string{"docker.io/localhost/app:latest"}},
		// library/ is only left out of an official (one-component) name.
		{"library/a/b:latest", []string{"library/a/b:latest", "localhost/library/a/b:latest"}},
		{"docker.io/library/a/b:latest", []string{"docker.io/library/a/b:latest", "library/a/b:latest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nameCandidates(tc.name); !slices.Equal(got, tc.want) {
				t.Errorf("nameCandidates(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// TestImageByLongerNames looks local images up by the forms Docker and
// Podman accept for them, and checks that other registries' names and
// a Hub name spelt out do not reach a Podman-local image.
func TestImageByLongerNames(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	l := commitLayer(t, ctx, s, "a")
	hub := createImage(t, s, "hub", []digest.Digest{l.DiffID}, "busybox:latest")
	local := createImage(t, s, "local", []digest.Digest{l.DiffID}, "localhost/app:v1")
	for ref, want := range map[string]digest.Digest{
		"busybox": hub.ID, "busybox:latest": hub.ID, "library/busybox": hub.ID,
		"docker.io/library/busybox": hub.ID, "docker.io/busybox:latest": hub.ID,
		"localhost/busybox": hub.ID,
		"app:v1":            local.ID, "localhost/app:v1": local.ID,
	} {
		img, err := s.Image(ctx, ref)
		if err != nil {
			t.Errorf("Image(%q): %v", ref, err)
			continue
		}
		if img.ID != want {
			t.Errorf("Image(%q) = %s, want %s", ref, img.ID, want)
		}
	}
	for _, ref := range []string{"localhost:5000/busybox", "quay.io/busybox", "docker.io/library/app:v1", "library/app:v1", "app"} {
		if _, err := s.Image(ctx, ref); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("Image(%q): %v, want ErrNotFound", ref, err)
		}
	}
	// A Hub name given in full is kept familiar, as Docker keeps it.
	if err := s.Tag(ctx, "busybox", "docker.io/library/busybox:1"); err != nil {
		t.Fatal(err)
	}
	img, err := s.Image(ctx, "busybox:1")
	if err != nil || !slices.Contains(img.Names, "busybox:1") {
		t.Fatalf("after tagging docker.io/library/busybox:1: %v, names %v", err, img.Names)
	}
	// Removing by a long form untags the stored name.
	if _, err := s.Remove(ctx, "docker.io/library/busybox:1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Image(ctx, "busybox:1"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("busybox:1 after removing docker.io/library/busybox:1: %v", err)
	}
}
