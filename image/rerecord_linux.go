package image

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/quarantine"
)

// rerecordLayers records the layer directories of a store whose database
// is new: what a metadata.db moved aside leaves behind. A layer's diffID
// is its directory's name; the directory is recorded only when its
// content still has that digest (recomputed, as a commit does), and moved
// to quarantine otherwise. Images and tags cannot be rebuilt: they lived
// only in the database.
func (s *Store) rerecordLayers(ctx context.Context) error {
	log := logctx.From(ctx)
	entries, err := os.ReadDir(s.layersDir())
	if err != nil {
		return fmt.Errorf("recording layers again: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(s.layersDir(), e.Name())
		diffID := digest.NewDigestFromEncoded(digest.SHA256, e.Name())
		size, err := diffSize(ctx, dir, diffID)
		if err != nil {
			dst, qerr := quarantine.Move(s.root, dir)
			if qerr != nil {
				return fmt.Errorf("recording layers again: %w; and then %w", err, qerr)
			}
			log.Warn("a layer directory could not be recorded again; moved to quarantine", "layer", e.Name(), "quarantine", dst, "error", err)
			continue
		}
		now := time.Now().UTC()
		rec := layerRecord{DiffID: diffID, Size: size, Created: now, Used: now, Link: shortName(diffID)}
		v, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("recording layers again: %w", err)
		}
		err = s.db.Update(func(tx *bolt.Tx) error { return bucket(tx, bucketLayers).Put([]byte(diffID), v) })
		if err != nil {
			return fmt.Errorf("recording layer %s again: %w", diffID, err)
		}
		log.Warn("metadata.db is new: recorded an existing layer again", "layer", diffID)
	}
	return nil
}

// diffSize recomputes the tar of dir's diff/ and returns its size when its
// digest is diffID.
func diffSize(ctx context.Context, dir string, diffID digest.Digest) (int64, error) {
	if err := diffID.Validate(); err != nil {
		return 0, fmt.Errorf("%s is not named after a digest: %w", dir, err)
	}
	h := sha256.New()
	n := &archive.CountingWriter{W: h}
	if err := archive.WriteDiff(ctx, n, filepath.Join(dir, "diff")); err != nil {
		return 0, fmt.Errorf("reading layer %s: %w", dir, err)
	}
	if got := digest.NewDigest(digest.SHA256, h); got != diffID {
		return 0, fmt.Errorf("layer %s: its content has digest %s", dir, got)
	}
	return n.N, nil
}
