package distribution

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestSaveLoadRoundTrip saves two images sharing a layer in each format,
// checks the archive with go-containerregistry's readers, and loads it
// into another store: same ids, names and files.
func TestSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newStore(t)
	orig := busyboxImage(t, src, "busybox:test")
	base, err := src.CreateImage(ctx, imageOf(orig.Layers[0]), "registry.example.com/base:1")
	if err != nil {
		t.Fatal(err)
	}
	d := newService(t, src, Config{})
	for _, format := range []string{FormatDocker, FormatOCI} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := d.Save(ctx, []string{"busybox:test", "registry.example.com/base:1"}, &buf, format); err != nil {
				t.Fatalf("Save: %v", err)
			}
			checkArchive(t, buf.Bytes(), format)

			dst := newStore(t)
			var loaded int
			imgs, err := newService(t, dst, Config{}).Load(ctx, bytes.NewReader(buf.Bytes()), func(p Progress) {
				if p.Status == StatusLoaded {
					loaded++
				}
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(imgs) != 2 || loaded != 2 {
				t.Fatalf("loaded %d images, %d layers; want 2 and 2", len(imgs), loaded)
			}
			got, err := dst.Image(ctx, "busybox:test")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != orig.ID || !slices.Equal(got.StartupCommands[0], orig.StartupCommands[0]) {
				t.Errorf("loaded %s %v, saved %s %v", got.ID, got.StartupCommands, orig.ID, orig.StartupCommands)
			}
			checkBusyboxFiles(t, dst, got)
			if b, err := dst.Image(ctx, "registry.example.com/base:1"); err != nil || b.ID != base.ID {
				t.Errorf("base: %v, %v; want id %s", b.ID, err, base.ID)
			}
		})
	}

	t.Run("by id", func(t *testing.T) {
		var buf bytes.Buffer
		if err := d.Save(ctx, []string{orig.ID.Encoded()[:12]}, &buf, ""); err != nil {
			t.Fatalf("Save: %v", err)
		}
		dst := newStore(t)
		imgs, err := newService(t, dst, Config{}).Load(ctx, &buf, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(imgs) != 1 || imgs[0].ID != orig.ID || len(imgs[0].Names) != 0 {
			t.Errorf("loaded %+v, want %s without a name", imgs, orig.ID)
		}
	})

	t.Run("gzip-compressed archive", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := d.Save(ctx, []string{"busybox:test"}, zw, FormatDocker); err != nil {
			t.Fatalf("Save: %v", err)
		}
		zw.Close()
		dst := newStore(t)
		if _, err := newService(t, dst, Config{}).Load(ctx, &buf, nil); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got, err := dst.Image(ctx, "busybox:test"); err != nil || got.ID != orig.ID {
			t.Errorf("loaded %v, %v", got.ID, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		if err := d.Save(ctx, []string{"busybox:test"}, io.Discard, "tar.xz"); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Save with an unknown format: %v", err)
		}
		if err := d.Save(ctx, []string{"nosuch:image"}, io.Discard, ""); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("Save of a missing image: %v", err)
		}
	})
}

// checkArchive reads a saved archive with go-containerregistry: as a
// docker tarball (FormatDocker) and as an OCI layout (both formats), and
// validates every digest and DiffID.
func checkArchive(tb testing.TB, data []byte, format string) {
	tb.Helper()
	if format == FormatDocker {
		tag, _ := name.NewTag("busybox:test")
		img, err := tarball.Image(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, &tag)
		if err != nil {
			tb.Fatalf("tarball.Image: %v", err)
		}
		if err := validate.Image(img); err != nil {
			tb.Errorf("validating the docker archive: %v", err)
		}
	}
	dir := tb.TempDir()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		p := filepath.Join(dir, hdr.Name)
		if hdr.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			continue
		}
		b, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		tb.Fatalf("reading the OCI layout: %v", err)
	}
	// Fast: go-containerregistry's layout reader takes every layer for
	// gzip and cannot check uncompressed ones (the tarball check above
	// does, and Load checks them all).
	if err := validate.Index(idx, validate.Fast); err != nil {
		tb.Errorf("validating the OCI layout: %v", err)
	}
	im, _ := idx.IndexManifest()
	if im == nil || len(im.Manifests) == 0 || im.Manifests[0].Annotations[annotationContainerdName] == "" {
		tb.Errorf("index.json names no image: %+v", im)
	}
}
