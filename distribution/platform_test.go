package distribution

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParsePlatform(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Platform
		wantErr bool
	}{
		{"", HostPlatform(), false},
		{"arm64", Platform{OS: "linux", Architecture: "arm64"}, false},
		{"linux/amd64", Platform{OS: "linux", Architecture: "amd64"}, false},
		{"linux/x86_64", Platform{OS: "linux", Architecture: "amd64"}, false},
		{"Linux/ARM/v7", Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, false},
		{"linux//v7", Platform{}, true},
		{"a/b/c/d", Platform{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePlatform(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParsePlatform(%q) = %v, %v; want %v (error: %t)", tc.in, got, err, tc.want, tc.wantErr)
			}
			if err != nil && !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not ErrInvalidArgument", err)
			}
		})
	}
}

// platformImage is a random one-layer image whose config says p.
func platformImage(tb testing.TB, p Platform) v1.Image {
	tb.Helper()
	img, err := random.Image(2048, 1)
	if err != nil {
		tb.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		tb.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// TestMultiPlatform pulls from an index of linux/amd64, linux/arm64 and an
// attestation manifest: the host's platform by default, the one asked
// for, and a clear error for a platform the index lacks.
func TestMultiPlatform(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	platforms := []Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}, {OS: "unknown", Architecture: "unknown"}}
	var adds []mutate.IndexAddendum
	for _, p := range platforms {
		adds = append(adds, mutate.IndexAddendum{
			Add:        platformImage(t, p),
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}},
		})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	ref, err := name.ParseReference(reg.host + "/test/multi:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatalf("WriteIndex: %v", err)
	}
	d := newService(t, s, Config{})
	for _, tc := range []struct {
		platform string
		wantArch string
		wantErr  string
	}{
		{"", HostPlatform().Architecture, ""},
		{"linux/amd64", "amd64", ""},
		{"arm64", "arm64", ""},
		{"linux/arm64/v8", "arm64", ""},
		{"linux/s390x", "", "no manifest for linux/s390x in the image index; it has linux/amd64, linux/arm64/v8"},
		{"windows/amd64", "", "no manifest for windows/amd64"},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			img, err := d.Pull(ctx, ref.String(), PullOptions{Platform: tc.platform})
			if tc.wantErr != "" {
				if !errors.Is(err, errdefs.ErrNotFound) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Pull: %v, want ErrNotFound saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			if img.Config.Architecture != tc.wantArch || img.Config.OS != "linux" {
				t.Errorf("pulled %s/%s, want linux/%s", img.Config.OS, img.Config.Architecture, tc.wantArch)
			}
		})
	}

	t.Run("single-platform image for another platform", func(t *testing.T) {
		other, err := name.ParseReference(reg.host + "/test/arm:1")
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(other, platformImage(t, Platform{OS: "linux", Architecture: "arm64"})); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Pull(ctx, other.String(), PullOptions{Platform: "linux/amd64"}); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("Pull with a platform the image is not for: %v, want ErrNotFound", err)
		}
		// Without --platform, as Docker, it is pulled.
		if _, err := d.Pull(ctx, other.String(), PullOptions{}); err != nil {
			t.Errorf("Pull: %v", err)
		}
	})
}
