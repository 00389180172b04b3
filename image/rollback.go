package image

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"
)

// Rollback undoes the layers of work that failed part-way (a load): it
// removes the layers that were new to the store when they were committed
// under the lease ctx carries (Store.WithLease), unless something else
// holds them by now: an image, a build cache entry or another lease (a
// concurrent load or build of the same content). Layers that existed
// before the lease are never removed. Call it before releasing the lease;
// it returns the layers it removed. Without it such layers wait for GC
// (GCGrace, 30 minutes by default).
func (s *Store) Rollback(ctx context.Context) ([]digest.Digest, error) {
	l, ok := ctx.Value(leaseKey{s}).(*lease)
	if !ok {
		return nil, nil
	}
	l.mu.Lock()
	created := make([]digest.Digest, 0, len(l.created))
	for d := range l.created {
		created = append(created, d)
	}
	l.created = nil
	l.mu.Unlock()
	if len(created) == 0 {
		return nil, nil
	}

	s.layerMu.Lock()
	var victims []layerRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		// As in GC, the other leases are read inside the transaction.
		others := s.leasedExcept(l)
		refs, err := referencedLayers(tx)
		if err != nil {
			return err
		}
		b := bucket(tx, bucketLayers)
		for _, d := range created {
			v := b.Get([]byte(d))
			if v == nil || refs[d] || others[d] {
				continue
			}
			var r layerRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding layer record %s: %w", d, err)
			}
			if err := b.Delete([]byte(d)); err != nil {
				return err
			}
			victims = append(victims, r)
		}
		return nil
	})
	var moved []string
	if err == nil {
		moved, err = s.trashLayers(victims)
	}
	s.layerMu.Unlock()
	if rerr := removeTrash(moved); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("rolling back new layers: %w", err)
	}
	removed := make([]digest.Digest, len(victims))
	l.mu.Lock()
	for i, r := range victims {
		removed[i] = r.DiffID
		delete(l.layers, r.DiffID)
	}
	l.mu.Unlock()
	return removed, nil
}
