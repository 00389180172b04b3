package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/internal/boltfile"
)

// storeWithImages makes a store with layers and a tagged image, closed,
// and returns its root and the layers' diffIDs.
func storeWithImages(t *testing.T) (string, []digest.Digest) {
	t.Helper()
	ctx := t.Context()
	root := t.TempDir()
	s, err := Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	var layers []digest.Digest
	for i, f := range []string{"etc/a", "etc/b", "etc/c"} {
		l := commitLayer(t, ctx, s, f, strings.Repeat("x", 1000*(i+1)))
		layers = append(layers, l.DiffID)
	}
	for i := range 40 {
		createImage(t, s, "img"+string(rune('a'+i%26))+string(rune('a'+i/26)), layers, "app:v"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return root, layers
}

// TestOpenDamagedMetadataRefused: metadata.db cut to half, emptied or
// filled with garbage stops Open with an error naming the file and what
// to do; the store's layers are left alone. Before, a file cut to half
// killed the daemon with SIGBUS inside bbolt and an empty one started an
// empty store that then deleted every layer as a leftover.
func TestOpenDamagedMetadataRefused(t *testing.T) {
	requireRoot(t)
	damages := boltfile.Damages()
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			root, layers := storeWithImages(t)
			path := filepath.Join(root, "metadata.db")
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			s, err := Open(t.Context(), root)
			if err == nil {
				s.Close()
				t.Fatal("Open of a store with a damaged metadata.db succeeded")
			}
			if _, ok := errors.AsType[*boltfile.DamagedError](err); !ok {
				t.Fatalf("error %v is not a DamagedError", err)
			}
			for _, want := range []string{path, "damaged", "mv " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			for _, l := range layers {
				if _, err := os.Stat(filepath.Join(root, "layers", l.Encoded(), "diff")); err != nil {
					t.Errorf("layer %s gone after a refused Open: %v", l, err)
				}
			}
		})
	}
}

// TestOpenMovedAsideRecordsLayers: the way out the refusal proposes.
// With metadata.db moved aside, Open records every layer directory
// again (with its size, its short link working) instead of deleting them
// as leftovers; a directory whose content no longer has its digest goes
// to quarantine.
func TestOpenMovedAsideRecordsLayers(t *testing.T) {
	requireRoot(t)
	root, layers := storeWithImages(t)
	sizes := map[digest.Digest]int64{}
	s, err := Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		got, err := s.Layer(t.Context(), l)
		if err != nil {
			t.Fatal(err)
		}
		sizes[l] = got.Size
	}
	s.Close()
	path := filepath.Join(root, "metadata.db")
	if err := os.Rename(path, path+".corrupt-test"); err != nil {
		t.Fatal(err)
	}
	// One layer was tampered with: its name no longer is its digest.
	bad := layers[2]
	if err := os.WriteFile(filepath.Join(root, "layers", bad.Encoded(), "diff", "etc", "c"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}

	s, err = Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, l := range layers[:2] {
		got, err := s.Layer(t.Context(), l)
		if err != nil {
			t.Fatalf("layer %s not recorded again: %v", l, err)
		}
		if got.Size != sizes[l] {
			t.Errorf("layer %s recorded with size %d, want %d", l, got.Size, sizes[l])
		}
		if _, err := os.Stat(filepath.Join(s.LayerLink(l), "etc")); err != nil {
			t.Errorf("short link of %s: %v", l, err)
		}
	}
	if _, err := s.Layer(t.Context(), bad); err == nil {
		t.Errorf("tampered layer %s recorded", bad)
	}
	if _, err := os.Stat(filepath.Join(root, "layers", bad.Encoded())); !os.IsNotExist(err) {
		t.Errorf("tampered layer directory still in layers/: %v", err)
	}
	q, _ := os.ReadDir(filepath.Join(root, "quarantine"))
	if len(q) != 1 || !strings.HasSuffix(q[0].Name(), bad.Encoded()) {
		t.Errorf("quarantine holds %v, want the tampered layer", q)
	}
}
