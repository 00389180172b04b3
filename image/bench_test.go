package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/snapshot"
)

// BenchmarkCommitSmallLayer measures what a COPY of a small directory costs
// the store: stage, archive and hash, rename, record.
func BenchmarkCommitSmallLayer(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		w, err := s.NewLayer(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			if err := os.WriteFile(filepath.Join(w.Dir(), fmt.Sprint("f", j)), []byte(fmt.Sprint(i, j)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateImage measures registering an image with a name.
func BenchmarkCreateImage(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	l := commitLayer(b, ctx, s, "f", "x")
	for i := 0; b.Loop(); i++ {
		_, err := s.CreateImage(ctx, Image{
			Layers: []digest.Digest{l.DiffID},
			Config: ocispec.Image{Config: ocispec.ImageConfig{Labels: map[string]string{"i": fmt.Sprint(i)}}},
		}, "bench")
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheLookup measures a build cache hit.
func BenchmarkCacheLookup(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	if err := s.PutCache(ctx, CacheEntry{Key: "k", Value: []byte("v")}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Cache(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMountWritable measures mounting a 5-layer image with a staged
// upper layer and unmounting it, as a RUN step does.
func BenchmarkMountWritable(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	var layers []digest.Digest
	for i := range 5 {
		layers = append(layers, commitLayer(b, ctx, s, fmt.Sprint("l", i), "x").DiffID)
	}
	target := filepath.Join(b.TempDir(), "m")
	if err := os.Mkdir(target, 0o755); err != nil {
		b.Fatal(err)
	}
	w, err := s.NewLayer(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	for b.Loop() {
		if err := snapshot.Mount(ctx, target, s.LowerDirs(layers), w.Dir(), w.WorkDir()); err != nil {
			b.Fatal(err)
		}
		if err := snapshot.Unmount(target); err != nil {
			b.Fatal(err)
		}
	}
}
