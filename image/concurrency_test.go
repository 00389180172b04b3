package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// stage commits a layer with one file, without testing.TB (it runs in
// goroutines). Equal contents give equal layers: the mtime is fixed.
func stage(ctx context.Context, s *Store, name, content string) (Layer, error) {
	w, err := s.NewLayer(ctx)
	if err != nil {
		return Layer{}, err
	}
	p := filepath.Join(w.Dir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.Abort()
		return Layer{}, err
	}
	if err := os.Chtimes(p, fixtureTime(), fixtureTime()); err != nil {
		w.Abort()
		return Layer{}, err
	}
	if err := os.Chtimes(w.Dir(), fixtureTime(), fixtureTime()); err != nil {
		w.Abort()
		return Layer{}, err
	}
	return w.Commit(ctx)
}

// TestConcurrentBuildsRemoveAndGC runs two "builds" (each commits layers,
// some with the same content as the other build's, and registers images on
// a shared base) next to a goroutine that removes the images they register
// and collects garbage, all the time. Builds hold a lease, as the builder
// does. Nothing may fail, and at the end the store must be consistent.
func TestConcurrentBuildsRemoveAndGC(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	base := commitLayer(t, ctx, s, "base", "b")
	createImage(t, s, "base", []digest.Digest{base.DiffID}, "base")

	const builds, steps = 2, 25
	var (
		wg        sync.WaitGroup
		done      atomic.Bool
		created   atomic.Int64
		removed   atomic.Int64
		collected atomic.Int64
	)
	for b := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range steps {
				lctx, release := s.WithLease(ctx)
				s.Lease(lctx, base.DiffID)
				shared, err := stage(lctx, s, "shared", fmt.Sprint(i%4))
				if err != nil {
					t.Errorf("build %d step %d: shared layer: %v", b, i, err)
					release()
					return
				}
				own, err := stage(lctx, s, "own", fmt.Sprintf("%d-%d", b, i))
				if err != nil {
					t.Errorf("build %d step %d: own layer: %v", b, i, err)
					release()
					return
				}
				_, err = s.CreateImage(lctx, Image{
					Layers: []digest.Digest{base.DiffID, shared.DiffID, own.DiffID},
					Config: ocispec.Image{Config: ocispec.ImageConfig{Labels: map[string]string{"step": fmt.Sprintf("%d-%d", b, i)}}},
				}, fmt.Sprintf("build%d:step%d", b, i))
				release()
				if err != nil {
					t.Errorf("build %d step %d: registering: %v", b, i, err)
					return
				}
				created.Add(1)
			}
		}()
	}
	var cleaner sync.WaitGroup
	cleaner.Add(1)
	go func() {
		defer cleaner.Done()
		for !done.Load() {
			imgs, err := s.Images(ctx)
			if err != nil {
				t.Errorf("listing: %v", err)
				return
			}
			for _, img := range imgs {
				for _, n := range img.Names {
					if !strings.HasPrefix(n, "build") {
						continue
					}
					if _, err := s.Remove(ctx, n, false); err != nil && !errors.Is(err, errdefs.ErrNotFound) && !errors.Is(err, errdefs.ErrConflict) {
						t.Errorf("remove %s: %v", n, err)
					} else if err == nil {
						removed.Add(1)
					}
				}
			}
			gone, _, err := s.GC(ctx)
			if err != nil {
				t.Errorf("GC: %v", err)
			}
			collected.Add(int64(len(gone)))
		}
	}()
	wg.Wait()
	done.Store(true)
	cleaner.Wait()
	t.Logf("%d images created, %d removed, %d layers collected meanwhile", created.Load(), removed.Load(), collected.Load())
	if created.Load() != builds*steps {
		t.Fatalf("%d of %d images were created", created.Load(), builds*steps)
	}

	// Every surviving image is whole, and a final removal and GC leave the
	// base alone.
	checkConsistent(t, s)
	imgs, _ := s.Images(ctx)
	for _, img := range imgs {
		if len(img.Names) > 0 && img.Names[0] == "base:latest" {
			continue
		}
		if _, err := s.Remove(ctx, img.ID.String(), true); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.GC(ctx); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, s)
	if ls, _ := s.Layers(ctx); len(ls) != 1 || ls[0].DiffID != base.DiffID {
		t.Errorf("layers left after removing everything but base: %v", ls)
	}
}
