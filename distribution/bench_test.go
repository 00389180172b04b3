package distribution

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
)

// benchImage registers a ~100 MiB image of four 25 MiB layers under name.
// Files are half random, half text, so layers compress about 2:1 like
// real ones.
func benchImage(b *testing.B, d *Service, name string) int64 {
	b.Helper()
	const layers, files, fileSize = 4, 25, 1 << 20
	rng := rand.NewChaCha8([32]byte{1})
	text := []byte("the quick brown fox jumps over the lazy dog 0123456789\n")
	var ids []digest.Digest
	var total int64
	for l := range layers {
		layer := commitDir(b, d.store, func(dir string) error {
			sub := filepath.Join(dir, fmt.Sprintf("layer%d", l))
			if err := os.Mkdir(sub, 0o755); err != nil {
				return err
			}
			buf := make([]byte, fileSize)
			for f := range files {
				rng.Read(buf[:fileSize/2])
				for i := fileSize / 2; i < fileSize; i += len(text) {
					copy(buf[i:], text)
				}
				if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%02d", f)), buf, 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		ids = append(ids, layer.DiffID)
		total += layer.Size
	}
	if _, err := d.store.CreateImage(context.Background(), imageOf(ids...), name); err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkPull pulls a ~100 MiB, four-layer image from a registry on
// 127.0.0.1 into a store that has none of it.
func BenchmarkPull(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	reg := newRegistry(b, nil)
	d := newService(b, s, Config{})
	name := reg.host + "/bench/image:1"
	size := benchImage(b, d, name)
	if _, err := d.Push(ctx, name, PushOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		removeAll(b, s)
		b.StartTimer()
		if _, err := d.Pull(ctx, name, PullOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPush pushes a ~100 MiB, four-layer image to an empty registry
// on 127.0.0.1 (compression included).
func BenchmarkPush(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	name := "bench/image:1"
	size := benchImage(b, New(s, Config{}), name)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		reg := newRegistry(b, nil)
		target := reg.host + "/bench/image:1"
		if err := s.Tag(ctx, name, target); err != nil {
			b.Fatal(err)
		}
		d := newService(b, s, Config{})
		b.StartTimer()
		if _, err := d.Push(ctx, target, PushOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		reg.Close()
		b.StartTimer()
	}
}
