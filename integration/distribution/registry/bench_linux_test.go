package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// benchStore opens a store holding a ~100 MiB image of four 25 MiB
// layers (files half random, half text: about 2:1 compressible) named
// name, and returns its uncompressed size.
func benchStore(b *testing.B, name string) (*image.Store, int64) {
	b.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(b, "needs root: layers keep ownership")
	}
	ctx := context.Background()
	s, err := image.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.GCGrace = 0
	rng := rand.NewChaCha8([32]byte{1})
	text := []byte("the quick brown fox jumps over the lazy dog 0123456789\n")
	var layers []digest.Digest
	var total int64
	for l := range 4 {
		w, err := s.NewLayer(ctx)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 1<<20)
		for f := range 25 {
			rng.Read(buf[:len(buf)/2])
			for i := len(buf) / 2; i < len(buf); i += len(text) {
				copy(buf[i:], text)
			}
			if err := os.WriteFile(filepath.Join(w.Dir(), fmt.Sprintf("l%d-f%02d", l, f)), buf, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		layer, err := w.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		layers = append(layers, layer.DiffID)
		total += layer.Size
	}
	if _, err := s.CreateImage(ctx, image.Image{Layers: layers, Created: time.Unix(0, 0)}, name); err != nil {
		b.Fatal(err)
	}
	return s, total
}

// BenchmarkPushReference pushes the image to an empty reference registry
// (filesystem storage) on 127.0.0.1.
func BenchmarkPushReference(b *testing.B) {
	ctx := context.Background()
	s, size := benchStore(b, "bench:1")
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		ref := startRegistry(b, false) + "/bench/image:1"
		if err := s.Tag(ctx, "bench:1", ref); err != nil {
			b.Fatal(err)
		}
		svc := distribution.New(s, distribution.Config{})
		b.StartTimer()
		if _, err := svc.Push(ctx, ref, distribution.PushOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPullReference pulls the image from the reference registry into
// a store that has none of its layers.
func BenchmarkPullReference(b *testing.B) {
	ctx := context.Background()
	ref := startRegistry(b, false) + "/bench/image:1"
	s, size := benchStore(b, ref)
	svc := distribution.New(s, distribution.Config{})
	if _, err := svc.Push(ctx, ref, distribution.PushOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		if _, err := s.Remove(ctx, ref, true); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.GC(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.Pull(ctx, ref, distribution.PullOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
