package image

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// Layer is a committed layer.
type Layer struct {
	// DiffID is the sha256 of the layer's uncompressed tar stream: for a
	// committed directory the deterministic stream archive.WriteDiff
	// writes, for an applied tar the stream as given.
	DiffID digest.Digest
	// Size is the length of that uncompressed tar stream.
	Size int64
	// Created is when the layer was first committed to this store.
	Created time.Time
}

// layerRecord is a layer's entry in the layers bucket.
type layerRecord struct {
	DiffID  digest.Digest `json:"diffID"`
	Size    int64         `json:"size"`
	Created time.Time     `json:"created"`
	// Used is the last time the layer was committed again (deduplicated);
	// GCGrace counts from it.
	Used time.Time `json:"used"`
	Link string    `json:"link"`
}

func (r layerRecord) layer() Layer { return Layer{DiffID: r.DiffID, Size: r.Size, Created: r.Created} }

// LayerWriter stages a new layer in tmp/. Fill Dir (directly, by extraction,
// or as the upper directory of an overlay mounted with WorkDir), then Commit
// or Abort. A staged layer is invisible to everything else in the store,
// GC included.
type LayerWriter struct {
	s    *Store
	dir  string // tmp/layer-*: holds diff/ and work/
	mu   sync.Mutex
	done bool
}

// NewLayer starts staging a layer.
func (s *Store) NewLayer(ctx context.Context) (*LayerWriter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.tmpDir(), "layer-")
	if err != nil {
		return nil, fmt.Errorf("staging layer: %w", err)
	}
	w := &LayerWriter{s: s, dir: dir}
	if err := os.Mkdir(w.Dir(), 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("staging layer: %w", err)
	}
	if err := os.Mkdir(w.WorkDir(), 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("staging layer: %w", err)
	}
	return w, nil
}

// Dir is the directory that becomes the layer's content; usable as an
// overlay upper directory. Its own mode and owner become those of the
// layer's root.
func (w *LayerWriter) Dir() string { return filepath.Join(w.dir, "diff") }

// WorkDir is an empty directory on the same filesystem as Dir, for the
// overlay work directory. It is discarded at Commit.
func (w *LayerWriter) WorkDir() string { return filepath.Join(w.dir, "work") }

// Commit archives Dir deterministically to compute the layer's DiffID, moves
// the staged directory into layers/ and records it. If the store already has
// a layer with that DiffID the staged copy is dropped and the existing layer
// returned. Dir must not be mounted on anymore. When ctx carries a lease
// (Store.WithLease) the layer joins it.
func (w *LayerWriter) Commit(ctx context.Context) (Layer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return Layer{}, fmt.Errorf("committing layer: %w: already committed or aborted", errdefs.ErrConflict)
	}
	h := sha256.New()
	n := &archive.CountingWriter{W: h}
	if err := archive.WriteDiff(ctx, n, w.Dir()); err != nil {
		return Layer{}, fmt.Errorf("committing layer: %w", err)
	}
	return w.commit(ctx, digest.NewDigest(digest.SHA256, h), n.N)
}

// commit moves the staged layer into place under diffID and records it.
// Preconditions: w.mu is held and Dir holds content whose tar digest is
// diffID.
func (w *LayerWriter) commit(ctx context.Context, diffID digest.Digest, size int64) (Layer, error) {
	s := w.s
	if err := os.RemoveAll(w.WorkDir()); err != nil {
		return Layer{}, fmt.Errorf("committing layer: dropping work directory: %w", err)
	}
	link := shortName(diffID)
	if err := os.WriteFile(filepath.Join(w.dir, "link"), []byte(link), 0o600); err != nil {
		return Layer{}, fmt.Errorf("committing layer: %w", err)
	}

	s.layerMu.Lock()
	final := s.layerPath(diffID)
	dedup := false
	if err := os.Rename(w.dir, final); err != nil {
		// ENOTEMPTY (which matches os.ErrExist): the layer exists
		// already; rename never replaces a non-empty directory.
		if !errors.Is(err, os.ErrExist) {
			s.layerMu.Unlock()
			return Layer{}, fmt.Errorf("committing layer %s: %w", diffID, err)
		}
		dedup = true
	}
	if !dedup && s.hooks.afterRename != nil {
		s.hooks.afterRename()
	}
	now := time.Now().UTC()
	rec := layerRecord{DiffID: diffID, Size: size, Created: now, Used: now, Link: link}
	created := false
	err := s.ensureLink(diffID.Encoded(), link)
	if err == nil {
		s.leaseLayer(ctx, diffID)
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := bucket(tx, bucketLayers)
			if v := b.Get([]byte(diffID)); v != nil {
				var old layerRecord
				if err := json.Unmarshal(v, &old); err != nil {
					return fmt.Errorf("decoding layer record: %w", err)
				}
				rec.Created, rec.Size = old.Created, old.Size
			} else {
				created = true
			}
			v, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			return b.Put([]byte(diffID), v)
		})
		if err == nil && created {
			s.leaseCreated(ctx, diffID)
		}
	}
	s.layerMu.Unlock()
	w.done = true
	if dedup {
		if rerr := mounttree.RemoveAll(w.dir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		// The directory is in place but unrecorded: the next Open
		// removes it, as after a crash.
		return Layer{}, fmt.Errorf("recording layer %s: %w", diffID, err)
	}
	return rec.layer(), nil
}

// Abort discards the staged layer, unmounting anything left mounted inside
// it first. It is a no-op after Commit or a previous Abort.
func (w *LayerWriter) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	if err := mounttree.RemoveAll(w.dir); err != nil {
		return fmt.Errorf("aborting layer: %w", err)
	}
	return nil
}

// LayerDir returns the content directory of a layer (it need not exist).
func (s *Store) LayerDir(diffID digest.Digest) string {
	return filepath.Join(s.layerPath(diffID), "diff")
}

// LayerLink returns the short path l/<name> that links to LayerDir, for
// callers that must keep mount options short.
func (s *Store) LayerLink(diffID digest.Digest) string {
	return filepath.Join(s.linksDir(), shortName(diffID))
}

// LowerDirs returns the content directories of layers (bottom first, as in
// Image.Layers) in the order snapshot.Mount takes them: top first.
func (s *Store) LowerDirs(layers []digest.Digest) []string {
	dirs := make([]string, len(layers))
	for i, l := range layers {
		dirs[len(layers)-1-i] = s.LayerDir(l)
	}
	return dirs
}

// Layer returns a committed layer.
func (s *Store) Layer(ctx context.Context, diffID digest.Digest) (Layer, error) {
	var rec layerRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		r, err := getLayer(tx, diffID)
		rec = r
		return err
	})
	if err != nil {
		return Layer{}, err
	}
	return rec.layer(), nil
}

// Layers lists the committed layers.
func (s *Store) Layers(ctx context.Context) ([]Layer, error) {
	var out []Layer
	err := s.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketLayers).ForEach(func(k, v []byte) error {
			var r layerRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding layer record %s: %w", k, err)
			}
			out = append(out, r.layer())
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	return out, nil
}

func getLayer(tx *bolt.Tx, diffID digest.Digest) (layerRecord, error) {
	var r layerRecord
	v := bucket(tx, bucketLayers).Get([]byte(diffID))
	if v == nil {
		return r, fmt.Errorf("layer %s: %w", diffID, errdefs.ErrNotFound)
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, fmt.Errorf("decoding layer record %s: %w", diffID, err)
	}
	return r, nil
}

// shortName is a layer's name in l/: 26 base32 characters of its digest,
// like Docker's overlay2 links, so that a lower directory costs
// len(root)+29 bytes of mount options instead of len(root)+80.
func shortName(diffID digest.Digest) string {
	sum := sha256.Sum256([]byte(diffID))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:26]
}
