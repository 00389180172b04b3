package image

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// CacheEntry is one build cache record. The builder decides what keys and
// values mean; the store keeps entries crash-safely and treats their Layers
// as GC roots.
type CacheEntry struct {
	// Key identifies the step (the builder's hash of its inputs).
	Key string `json:"key"`
	// Parent is the key of the step before, "" for the first.
	Parent string `json:"parent,omitempty"`
	// Layers the result of the step uses; they are kept while the entry
	// exists.
	Layers []digest.Digest `json:"layers,omitempty"`
	// Value is the builder's payload (the resulting config, the inputs
	// it needs to explain a miss).
	Value []byte `json:"value,omitempty"`
	// Created is when the entry was written (set by PutCache when zero).
	Created time.Time `json:"created"`
}

// PutCache records (or replaces) a cache entry. Its layers must be
// committed (ErrNotFound otherwise).
func (s *Store) PutCache(ctx context.Context, e CacheEntry) error {
	if e.Key == "" {
		return fmt.Errorf("recording cache entry: %w: empty key", errdefs.ErrInvalidArgument)
	}
	if e.Created.IsZero() {
		e.Created = time.Now().UTC()
	}
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding cache entry: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, l := range e.Layers {
			if _, err := getLayer(tx, l); err != nil {
				return err
			}
		}
		return bucket(tx, bucketCache).Put([]byte(e.Key), v)
	})
	if err != nil {
		return fmt.Errorf("recording cache entry %q: %w", e.Key, err)
	}
	return nil
}

// Cache returns the entry for key, or ErrNotFound.
func (s *Store) Cache(ctx context.Context, key string) (CacheEntry, error) {
	var e CacheEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		v := bucket(tx, bucketCache).Get([]byte(key))
		if v == nil {
			return fmt.Errorf("cache entry %q: %w", key, errdefs.ErrNotFound)
		}
		return json.Unmarshal(v, &e)
	})
	return e, err
}

// CacheChildren returns the entries whose Parent is parent, to explain a
// miss by comparing with what was cached after the same parent before.
func (s *Store) CacheChildren(ctx context.Context, parent string) ([]CacheEntry, error) {
	var out []CacheEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketCache).ForEach(func(k, v []byte) error {
			var e CacheEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decoding cache entry %q: %w", k, err)
			}
			if e.Parent == parent {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading cache: %w", err)
	}
	return out, nil
}

// PruneCache deletes every cache entry; the next GC frees the layers only
// they kept.
func (s *Store) PruneCache(ctx context.Context) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte(bucketCache)); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte(bucketCache))
		return err
	})
	if err != nil {
		return fmt.Errorf("pruning build cache: %w", err)
	}
	return nil
}
