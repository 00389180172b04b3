package image

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestMarshalConfigShell checks that SHELL is written where Docker puts it
// (config.Shell), read back, and that configs without it encode exactly as
// before it was kept: encoding/json's bytes without extensions, and the
// same sorted re-encoding with only a health check (so no image id moves).
func TestMarshalConfigShell(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := ocispec.Image{Created: &created, Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}}
	cfg.Config.Cmd = []string{"sh"}
	cfg.RootFS = ocispec.RootFS{Type: "layers"}
	hc := &Healthcheck{Test: []string{"CMD", "true"}}
	const (
		plain      = `{"created":"2026-01-02T03:04:05Z","architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":null}}`
		healthOnly = `{"architecture":"amd64","config":{"Cmd":["sh"],"Healthcheck":{"Test":["CMD","true"]}},"created":"2026-01-02T03:04:05Z","os":"linux","rootfs":{"type":"layers","diff_ids":null}}`
		both       = `{"architecture":"amd64","config":{"Cmd":["sh"],"Healthcheck":{"Test":["CMD","true"]},"Shell":["/bin/bash","-c"]},"created":"2026-01-02T03:04:05Z","os":"linux","rootfs":{"type":"layers","diff_ids":null}}`
	)
	for _, tc := range []struct {
		name string
		ext  Extensions
		want string
	}{
		{"none", Extensions{}, plain},
		{"empty shell", Extensions{Shell: []string{}}, plain},
		{"health check only", Extensions{Healthcheck: hc}, healthOnly},
		{"both", Extensions{Healthcheck: hc, Shell: []string{"/bin/bash", "-c"}}, both},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MarshalConfig(cfg, tc.ext)
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %s, %v\nwant %s", got, err, tc.want)
			}
			back, err := ExtensionsOf(got)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.ext
			if len(want.Shell) == 0 {
				want.Shell = nil
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("read back %+v, want %+v", back, want)
			}
		})
	}
	raw, _ := MarshalConfig(cfg, Extensions{Shell: []string{"/bin/sh", "-xc"}})
	if !strings.Contains(string(raw), `"Shell":["/bin/sh","-xc"]`) {
		t.Errorf("config %s lacks Docker's Shell", raw)
	}
	var oci ocispec.Image
	if err := json.Unmarshal(raw, &oci); err != nil || !reflect.DeepEqual(oci.Config.Cmd, cfg.Config.Cmd) {
		t.Errorf("the OCI fields did not survive: %+v, %v", oci, err)
	}
	if _, err := ExtensionsOf([]byte(`{"config":{"Shell":"/bin/sh"}}`)); err == nil {
		t.Error("a Shell that is not a list was read")
	}
}

// TestCreateImageKeepsShell checks that the store keeps an image's SHELL,
// that it is part of the image's identity, and that Extensions gives it.
func TestCreateImageKeepsShell(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plain, err := s.CreateImage(ctx, Image{Created: created}, "plain:1")
	if err != nil {
		t.Fatal(err)
	}
	shell := []string{"/bin/sh", "-xc"}
	img, err := s.CreateImage(ctx, Image{Created: created, Shell: shell}, "shelled:1")
	if err != nil {
		t.Fatal(err)
	}
	if img.ID == plain.ID {
		t.Error("the shell does not change the image id")
	}
	got, err := s.Image(ctx, "shelled:1")
	if err != nil || !reflect.DeepEqual(got.Shell, shell) || !reflect.DeepEqual(got.Extensions().Shell, shell) {
		t.Errorf("stored %q, %v; want %q", got.Shell, err, shell)
	}
	if p, _ := s.Image(ctx, "plain:1"); p.Shell != nil {
		t.Errorf("an image without SHELL has %q", p.Shell)
	}
}
