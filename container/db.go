package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/boltfile"
	"github.com/container-runtime/container-runtime/internal/quarantine"
)

// Buckets of containers.db.
var (
	bucketContainers = []byte("containers") // id -> record JSON
	bucketNames      = []byte("names")      // name -> id
)

// db is the container database. bbolt serializes writers, so a check and
// a write in one Update are atomic: that is what makes names unique.
type db struct {
	bolt *bolt.DB
	// fresh is set when the file did not exist before this open: the
	// container directories on disk, if any, are not the database's to
	// judge (recover quarantines them rather than removing them).
	fresh bool
}

// openDB opens containers.db under root. A damaged file stops the daemon
// with a message naming it and what to do: the records (names, configs,
// restart policies) cannot be rebuilt from the container directories, and
// a start without them would delete every container as a leftover.
func openDB(root string) (*db, error) {
	path := filepath.Join(root, "containers.db")
	b, fresh, err := boltfile.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if damaged, ok := errors.AsType[*boltfile.DamagedError](err); ok {
			return nil, fmt.Errorf("%w. The daemon does not start on it, so that no container is forgotten. "+
				"Restore the file from a backup; or move it aside (mv %s %s.corrupt-$(date +%%s)) and start again: "+
				"the containers it recorded are then stopped, and their directories kept in %s",
				damaged, path, path, quarantine.Dir(root))
		}
		return nil, err
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bucketContainers, bucketNames} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("initializing %s: %w", path, err)
	}
	return &db{bolt: b, fresh: fresh}, nil
}

func (d *db) close() error { return d.bolt.Close() }

// insert stores a new record and reserves its name, in one transaction:
// of two inserts with the same name exactly one succeeds.
func (d *db) insert(r *record) error {
	return d.withName(r, func(tx *bolt.Tx, names *bolt.Bucket, b []byte) error {
		cs := tx.Bucket(bucketContainers)
		if cs.Get([]byte(r.ID)) != nil {
			return fmt.Errorf("container %s: %w", r.ID, errdefs.ErrAlreadyExists)
		}
		if err := names.Put([]byte(r.Name), []byte(r.ID)); err != nil {
			return err
		}
		return cs.Put([]byte(r.ID), b)
	})
}

// withName encodes r and runs fn in a transaction in which r's name is
// known to be free (else it fails with ErrAlreadyExists), with the names
// bucket and r's encoding.
func (d *db) withName(r *record, fn func(tx *bolt.Tx, names *bolt.Bucket, encoded []byte) error) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding container %s: %w", r.ID, err)
	}
	return d.bolt.Update(func(tx *bolt.Tx) error {
		names := tx.Bucket(bucketNames)
		if id := names.Get([]byte(r.Name)); id != nil {
			return fmt.Errorf("the container name %q is already in use by container %.12s: %w", r.Name, id, errdefs.ErrAlreadyExists)
		}
		return fn(tx, names, b)
	})
}

// nameOwner returns the id of the container that has name, "" when none.
func (d *db) nameOwner(name string) (string, error) {
	var id string
	err := d.bolt.View(func(tx *bolt.Tx) error {
		id = string(tx.Bucket(bucketNames).Get([]byte(name)))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("looking up the container name %q: %w", name, err)
	}
	return id, nil
}

// put replaces an existing record.
func (d *db) put(r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding container %s: %w", r.ID, err)
	}
	err = d.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContainers).Put([]byte(r.ID), b)
	})
	if err != nil {
		return fmt.Errorf("saving container %s: %w", r.ID, err)
	}
	return nil
}

// delete removes a record and frees its name.
func (d *db) delete(id, name string) error {
	err := d.bolt.Update(func(tx *bolt.Tx) error {
		names := tx.Bucket(bucketNames)
		if v := names.Get([]byte(name)); v != nil && string(v) == id {
			if err := names.Delete([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketContainers).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("deleting container %s: %w", id, err)
	}
	return nil
}

// all reads every record.
func (d *db) all() ([]*record, error) {
	var out []*record
	err := d.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContainers).ForEach(func(k, v []byte) error {
			r := &record{}
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("decoding container %s: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading containers: %w", err)
	}
	return out, nil
}
