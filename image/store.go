// Package image keeps images: content-addressed layers stored extracted, in
// the form OverlayFS stacks, and images that list their layers bottom first
// with an OCI image config. It also imports and exports flattened root
// filesystems and bootstraps the Debian "base" image with debootstrap.
//
// On disk, under the store root:
//
//	layers/<hex of diffID>/diff   the layer content (overlay upper-dir form)
//	layers/<hex of diffID>/link   the layer's short name
//	l/<short name>                symlink to ../layers/<hex>/diff
//	tmp/                          layers being staged; emptied at Open
//	metadata.db                   bbolt: images, names, layers, cache
//
// A layer directory appears by rename, then is recorded in the database; an
// image is recorded (with all its names) in one transaction. A crash between
// the rename and the record leaves a directory no record names, which Open
// removes, so the store never lists a half-made layer or image.
package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/internal/boltfile"
)

// DefaultRoot is where the engine keeps its store when INSTALL_PATH is not
// set.
const DefaultRoot = "/var/lib/container-runtime"

// DefaultGCGrace is the default Store.GCGrace.
const DefaultGCGrace = 30 * time.Minute

// Bucket names in metadata.db.
const (
	bucketImages = "images" // image id -> canonical config JSON
	bucketNames  = "names"  // "name:tag" -> image id
	bucketLayers = "layers" // diffID -> layerRecord JSON
	bucketCache  = "cache"  // cache key -> CacheEntry JSON
)

// bucket returns a bucket Open created.
func bucket(tx *bolt.Tx, name string) *bolt.Bucket { return tx.Bucket([]byte(name)) }

// Store is an image and layer store rooted at one directory. Its methods are
// safe for concurrent use; one process at a time may open a root (the
// database is locked).
type Store struct {
	// InUse, when set, reports whether a container uses the image; Remove
	// refuses to delete such an image unless forced, and even then keeps
	// its layers (the image stays, untagged). Set it before sharing the
	// store.
	InUse func(digest.Digest) bool
	// GCGrace protects fresh layers: GC keeps a layer that no image, cache
	// entry or lease references if it was committed (or re-committed) less
	// than GCGrace ago, so a build that has not yet registered its layers
	// (and holds no lease) does not lose them. Open sets DefaultGCGrace.
	GCGrace time.Duration

	root string
	db   *bolt.DB

	// layerMu orders the steps that must look atomic across the file
	// system and the database: a commit's rename, link and record, and
	// GC's record deletion and directory removal.
	layerMu sync.Mutex

	leaseMu sync.Mutex
	leases  map[*lease]struct{}

	hooks testHooks
}

// testHooks let tests stop the store at the points where a crash matters.
type testHooks struct {
	afterRename   func() // a layer directory is in place, not yet recorded
	afterGCRecord func() // GC deleted layer records, directories still there
}

// Open opens (creating it if needed) the store at root. It recovers from a
// crash: staging leftovers in tmp/ and layer directories the database does
// not record are removed. Open fails with ErrUnavailable when another
// process has the store open, and with a boltfile.DamagedError (saying
// what to do) when metadata.db is damaged; when metadata.db is missing,
// the layer directories found are recorded again.
func Open(ctx context.Context, root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("opening image store %q: %w", root, err)
	}
	for _, d := range []string{abs, filepath.Join(abs, "layers"), filepath.Join(abs, "l"), filepath.Join(abs, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("opening image store: %w", err)
		}
	}
	// Mount points under the root are matched by prefix at recovery,
	// which needs the path the kernel reports.
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("opening image store: %w", err)
	}
	dbPath := filepath.Join(abs, "metadata.db")
	db, fresh, err := boltfile.Open(dbPath, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if damaged, ok := errors.AsType[*boltfile.DamagedError](err); ok {
			return nil, fmt.Errorf("opening image store: %w. The daemon does not start on it: images and tags are "+
				"recorded only there. Restore the file from a backup; or move it aside (mv %s %s.corrupt-$(date +%%s)) "+
				"and start again: the layers are then recorded again from %s, the images and tags are lost",
				damaged, dbPath, dbPath, filepath.Join(abs, "layers"))
		}
		return nil, fmt.Errorf("opening image store: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{bucketImages, bucketNames, bucketLayers, bucketCache} {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialising image store database: %w", err)
	}
	s := &Store{GCGrace: DefaultGCGrace, root: abs, db: db, leases: map[*lease]struct{}{}}
	if fresh {
		// A new database on a store that has layers (metadata.db moved
		// aside): record them again rather than remove them as leftovers.
		if err := s.rerecordLayers(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.recover(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database. Layers being staged are left for the next Open
// to remove.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing image store: %w", err)
	}
	return nil
}

// Root returns the absolute store root.
func (s *Store) Root() string { return s.root }

func (s *Store) tmpDir() string    { return filepath.Join(s.root, "tmp") }
func (s *Store) layersDir() string { return filepath.Join(s.root, "layers") }
func (s *Store) linksDir() string  { return filepath.Join(s.root, "l") }

// layerPath is the directory holding a layer's diff/ and link.
func (s *Store) layerPath(diffID digest.Digest) string {
	return filepath.Join(s.layersDir(), diffID.Encoded())
}
