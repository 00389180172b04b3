package image

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"
)

// GC deletes the layers that no image, no build cache entry and no lease
// references, except those younger than GCGrace. It returns their DiffIDs
// and the bytes (uncompressed tar size) they held.
//
// The records go in one transaction, and each directory is then renamed
// into tmp/ before being removed, both under the lock commits take: a
// concurrent commit of the same content either finds the layer recorded
// (and GC, seeing the refreshed Used time, keeps it) or finds no directory
// and puts its own in place. A crash in between leaves an unrecorded
// directory or a tmp/ entry, which Open removes.
func (s *Store) GC(ctx context.Context) ([]digest.Digest, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s.layerMu.Lock()
	var (
		victims []layerRecord
		moved   []string
	)
	cutoff := time.Now().Add(-s.GCGrace)
	err := s.db.Update(func(tx *bolt.Tx) error {
		// Leases are read inside the transaction: whoever took a lease
		// and then saw an image in the database (Export) is seen here,
		// even if the image is gone by now.
		leased := s.leased()
		refs, err := referencedLayers(tx)
		if err != nil {
			return err
		}
		b := bucket(tx, bucketLayers)
		err = b.ForEach(func(k, v []byte) error {
			var r layerRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding layer record %s: %w", k, err)
			}
			if refs[r.DiffID] || leased[r.DiffID] || r.Used.After(cutoff) {
				return nil
			}
			victims = append(victims, r)
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range victims {
			if err := b.Delete([]byte(r.DiffID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && len(victims) > 0 && s.hooks.afterGCRecord != nil {
		s.hooks.afterGCRecord()
	}
	if err == nil {
		moved, err = s.trashLayers(victims)
	}
	s.layerMu.Unlock()
	if err != nil && len(moved) == 0 {
		return nil, 0, fmt.Errorf("collecting unused layers: %w", err)
	}
	if rerr := removeTrash(moved); rerr != nil && err == nil {
		err = rerr
	}
	var (
		removed []digest.Digest
		freed   int64
	)
	for _, r := range victims {
		removed = append(removed, r.DiffID)
		freed += r.Size
	}
	if err != nil {
		return removed, freed, fmt.Errorf("collecting unused layers: %w", err)
	}
	return removed, freed, nil
}

// trashLayers moves the directories of layers whose records are deleted
// into tmp/ and removes their short links; the caller removes the
// returned trash directories (removeTrash) once it has let go of the lock.
// On error it returns what it moved so far.
// Preconditions: s.layerMu is held.
func (s *Store) trashLayers(victims []layerRecord) ([]string, error) {
	var moved []string
	for _, r := range victims {
		os.Remove(filepath.Join(s.linksDir(), r.Link))
		trash, err := os.MkdirTemp(s.tmpDir(), "gc-")
		if err != nil {
			return moved, fmt.Errorf("collecting layer %s: %w", r.DiffID, err)
		}
		if err := os.Rename(s.layerPath(r.DiffID), filepath.Join(trash, "layer")); err != nil && !os.IsNotExist(err) {
			return moved, fmt.Errorf("collecting layer %s: %w", r.DiffID, err)
		}
		moved = append(moved, trash)
	}
	return moved, nil
}

// removeTrash removes the directories trashLayers moved, returning the
// first failure.
func removeTrash(moved []string) error {
	var first error
	for _, m := range moved {
		if err := mounttree.RemoveAll(m); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// referencedLayers returns the layers images and cache entries use.
func referencedLayers(tx *bolt.Tx) (map[digest.Digest]bool, error) {
	refs := map[digest.Digest]bool{}
	err := bucket(tx, bucketImages).ForEach(func(k, v []byte) error {
		img, err := decodeImage(digest.Digest(k), v)
		if err != nil {
			return err
		}
		for _, l := range img.Layers {
			refs[l] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = bucket(tx, bucketCache).ForEach(func(k, v []byte) error {
		var e CacheEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decoding cache entry %q: %w", k, err)
		}
		for _, l := range e.Layers {
			refs[l] = true
		}
		return nil
	})
	return refs, err
}
