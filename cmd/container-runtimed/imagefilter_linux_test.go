package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

func TestReferenceMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"busybox", "busybox:latest", true},
		{"busybox:latest", "busybox:latest", true},
		{"busy*", "busybox:1.36", true},
		{"busybox:1.*", "busybox:1.36", true},
		{"busybox:2.*", "busybox:1.36", false},
		{"box", "busybox:latest", false},
		{"localhost:5000/app", "localhost:5000/app:v1", true},
		{"*/app", "localhost:5000/app:v1", true},
		{"app", "localhost:5000/app:v1", false},
	} {
		if got := referenceMatch([]string{tc.pattern}, tc.name); got != tc.want {
			t.Errorf("reference=%s on %s: %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestImagesFilters(t *testing.T) {
	s, _ := newImageService(t)
	ctx := context.Background()
	base, err := s.Import(ctx, rootfsTar(t, "x\n"), "", &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	baseImg, err := s.Store.Image(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(i int, labels map[string]string, names ...string) {
		t.Helper()
		created := t0.Add(time.Duration(i) * time.Hour)
		_, err := s.Store.CreateImage(ctx, image.Image{
			Layers: baseImg.Layers,
			Config: ocispec.Image{Created: &created, Config: ocispec.ImageConfig{Labels: labels}},
		}, names...)
		if err != nil {
			t.Fatal(err)
		}
	}
	mk(1, map[string]string{"tier": "front"}, "web:1", "web:2", "other:1")
	mk(2, map[string]string{"tier": "back"}, "db:1")
	mk(3, nil) // dangling

	list := func(filters map[string][]string) []string {
		t.Helper()
		l, err := s.ListFiltered(ctx, api.ImageListOptions{Filters: filters})
		if err != nil {
			t.Fatalf("%v: %v", filters, err)
		}
		var out []string
		for _, im := range l {
			if len(im.Names) == 0 {
				out = append(out, "<none>")
			}
			out = append(out, im.Names...)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		filters map[string][]string
		want    []string
	}{
		{map[string][]string{"dangling": {"true"}}, []string{"<none>", "<none>"}}, // the import and mk(3)
		{map[string][]string{"dangling": {"false"}}, []string{"db:1", "other:1", "web:1", "web:2"}},
		{map[string][]string{"reference": {"web"}}, []string{"web:1", "web:2"}},
		{map[string][]string{"reference": {"web:2", "db"}}, []string{"db:1", "web:2"}},
		{map[string][]string{"label": {"tier"}}, []string{"db:1", "other:1", "web:1", "web:2"}},
		{map[string][]string{"label": {"tier=back"}}, []string{"db:1"}},
		{map[string][]string{"before": {"db:1"}, "dangling": {"false"}}, []string{"other:1", "web:1", "web:2"}},
		{map[string][]string{"since": {"web:1"}, "dangling": {"false"}}, []string{"db:1"}},
	} {
		if got := list(tc.filters); !slices.Equal(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.filters, got, tc.want)
		}
	}
	for filters, want := range map[string]map[string][]string{
		"invalid filter 'bogus'":          {"bogus": {"1"}},
		"invalid filter 'dangling=maybe'": {"dangling": {"maybe"}},
	} {
		if _, err := s.ListFiltered(ctx, api.ImageListOptions{Filters: want}); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), filters) {
			t.Errorf("%v: %v, want %q", want, err, filters)
		}
	}
	if _, err := s.ListFiltered(ctx, api.ImageListOptions{Filters: map[string][]string{"since": {"nosuch"}}}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("since an unknown image: %v, want ErrNotFound", err)
	}
}
