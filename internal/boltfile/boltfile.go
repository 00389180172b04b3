// Package boltfile opens the engine's bbolt databases only after checking
// that the file is whole. bbolt maps the file and trusts its header: a
// file cut short makes it touch pages past the end (SIGBUS, with no word
// of which file), and a 0-byte file is taken for a new database, so that
// every record it held is silently forgotten. Open refuses both, naming
// the file and what is wrong with it; what to do about it is the
// caller's policy (see DamagedError).
package boltfile

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The on-disk layout of a bbolt file (go.etcd.io/bbolt, format version
// 2). Pages 0 and 1 are the two meta pages, written alternately; each is
// a 16-byte page header followed by the meta:
//
//	offset  size  field
//	     0     4  magic 0xED0CDAED
//	     4     4  version (2)
//	     8     4  page size
//	    12     4  flags
//	    16    16  root bucket (root page id, sequence)
//	    32     8  freelist page id
//	    40     8  high water mark: the number of pages in use
//	    48     8  transaction id
//	    56     8  FNV-1a 64 of bytes 0..55
//
// Integers are in the machine's byte order (little endian on every host
// we build for). A new database has 4 pages: 2 metas, a freelist and an
// empty leaf.
const (
	pageHeaderSize = 16
	metaSize       = 64
	magic          = 0xED0CDAED
	version        = 2
	minPages       = 4
)

// CheckLimit is the largest file whose pages Open walks with bbolt's
// consistency check (tx.Check); bigger files get the header checks only,
// to keep the daemon's start fast.
const CheckLimit = 64 << 20

// DamagedError is a database file that is not a whole bbolt file.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("database %s is damaged: %s", e.Path, e.Reason)
}

// Open checks the file at path (when it exists) and opens it with bbolt.
// created reports whether the file did not exist before: a caller whose
// data lives partly outside the database (layer directories, container
// directories) must then not take the empty database for the truth.
// A damaged file gives a *DamagedError; a file another process holds
// gives ErrUnavailable.
func Open(path string, mode os.FileMode, opts *bolt.Options) (db *bolt.DB, created bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		created = true
	case err != nil:
		return nil, false, fmt.Errorf("opening database %s: %w", path, err)
	default:
		if derr := check(path, fi.Size()); derr != nil {
			// A live writer's half-written meta page can look damaged:
			// tell "in use" from "damaged" by the lock bbolt takes.
			if locked(path) {
				return nil, false, fmt.Errorf("opening database %s: %w: it is locked by another process (is another daemon running on this root?)", path, errdefs.ErrUnavailable)
			}
			return nil, false, derr
		}
	}
	err = guard(path, func() error {
		db, err = bolt.Open(path, mode, opts)
		return err
	})
	if err != nil {
		var damaged *DamagedError
		if errors.As(err, &damaged) {
			return nil, false, err
		}
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, false, fmt.Errorf("opening database %s: %w: it is locked by another process (is another daemon running on this root?)", path, errdefs.ErrUnavailable)
		}
		if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
			return nil, false, &DamagedError{Path: path, Reason: err.Error()}
		}
		return nil, false, fmt.Errorf("opening database %s: %w", path, err)
	}
	if !created && fi.Size() <= CheckLimit {
		if cerr := consistent(path, db); cerr != nil {
			db.Close()
			if _, ok := errors.AsType[*DamagedError](cerr); ok {
				return nil, false, cerr
			}
			return nil, false, &DamagedError{Path: path, Reason: "bbolt's consistency check: " + cerr.Error()}
		}
	}
	return db, created, nil
}

// check reads the two meta pages of the file and checks what bbolt would
// otherwise trust: the magic, version and checksum of both, the page
// size, a size that is a whole number of pages (at least 4), and pages in
// use that all lie inside the file.
func check(path string, size int64) error {
	damaged := func(format string, args ...any) error {
		return &DamagedError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if size == 0 {
		return damaged("the file is empty (0 bytes), where a database has at least %d pages", minPages)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checking database %s: %w", path, err)
	}
	defer f.Close()
	// The first meta page gives the page size; when it is the damaged
	// one, the second is looked for at the machine's page size, as bbolt
	// does.
	pageSize := int64(os.Getpagesize())
	var metas [2]meta
	var errs [2]error
	metas[0], errs[0] = readMeta(f, 0)
	if errs[0] == nil {
		pageSize = int64(metas[0].pageSize)
	}
	metas[1], errs[1] = readMeta(f, pageSize)
	for i, e := range errs {
		if e != nil {
			return damaged("meta page %d: %v", i, e)
		}
	}
	if metas[1].pageSize != metas[0].pageSize {
		return damaged("the meta pages disagree on the page size (%d and %d)", metas[0].pageSize, metas[1].pageSize)
	}
	if size%pageSize != 0 {
		return damaged("its size, %d bytes, is not a whole number of %d-byte pages (cut short?)", size, pageSize)
	}
	if size < minPages*pageSize {
		return damaged("its size, %d bytes, is less than %d pages", size, minPages)
	}
	for i, m := range metas {
		if int64(m.pgid)*pageSize > size {
			return damaged("meta page %d says %d pages are in use, but the file holds %d (cut short?)", i, m.pgid, size/pageSize)
		}
	}
	return nil
}

// meta is the part of a meta page check reads.
type meta struct {
	pageSize uint32
	pgid     uint64
}

// readMeta reads and validates the meta at page offset off.
func readMeta(f *os.File, off int64) (meta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return meta{}, fmt.Errorf("the file ends before it (cut short?)")
		}
		return meta{}, err
	}
	m := buf[pageHeaderSize:]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != magic {
		return meta{}, fmt.Errorf("not a bbolt meta page (bad magic %#x)", le.Uint32(m[0:]))
	}
	if v := le.Uint32(m[4:]); v != version {
		return meta{}, fmt.Errorf("format version %d, want %d", v, version)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return meta{}, fmt.Errorf("checksum mismatch")
	}
	ps := le.Uint32(m[8:])
	if ps < 512 || ps&(ps-1) != 0 {
		return meta{}, fmt.Errorf("page size %d is not a power of two of at least 512", ps)
	}
	return meta{pageSize: ps, pgid: le.Uint64(m[40:])}, nil
}

// guard runs f, which reads the database through bbolt, turning a panic
// and a memory fault into a DamagedError: bbolt trusts the page ids and
// counts it reads, and panics on (or, past the end of the mapping,
// faults on) ones that garbage made up. debug.SetPanicOnFault makes the
// fault a panic, in this goroutine only. A bolt.Open that panicked keeps
// its descriptor and lock: the daemon refuses to start on the file and
// exits.
func guard(path string, f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprintf("bbolt failed reading it: %v", r)}
		}
	}()
	return f()
}

// consistent reads every key and value of every bucket in this goroutine
// (guarded: a bad page is a DamagedError, not a crash), then runs
// bbolt's consistency check, which runs in a goroutine of its own that
// guard cannot cover, and so only once the walk found the pages sound.
func consistent(path string, db *bolt.DB) error {
	err := guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) })
		})
	})
	if err != nil {
		return err
	}
	return db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		return first
	})
}

// locked reports whether another process holds bbolt's lock on path
// (flock, exclusive while a writer has it open).
func locked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

// walk reads every byte of every key and value in b and its sub-buckets.
func walk(b *bolt.Bucket) error {
	var sum byte
	return b.ForEach(func(k, v []byte) error {
		for _, c := range k {
			sum ^= c
		}
		if v == nil {
			if sub := b.Bucket(k); sub != nil {
				return walk(sub)
			}
			return nil
		}
		for _, c := range v {
			sum ^= c
		}
		return nil
	})
}

// InUse returns how many bytes of the database at path its first meta
// page says are in use (its high-water page times the page size): a file
// cut below that has lost pages, while one cut above it (bbolt grows files
// ahead of use) has lost nothing. Tests damage databases with it.
func InUse(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	m, err := readMeta(f, 0)
	if err != nil {
		return 0, fmt.Errorf("reading the meta page of %s: %w", path, err)
	}
	return int64(m.pgid) * int64(m.pageSize), nil
}

// Damages returns, by name, the ways the tests damage a database file to
// check that it is refused: cut to half of its pages in use, emptied, and
// overwritten with random bytes of its size.
func Damages() map[string]func(path string) error {
	return map[string]func(path string) error{
		"truncated to half": func(path string) error {
			// Half of the pages in use: bbolt grows its file ahead of
			// use, so half of the file's size may cut nothing.
			used, err := InUse(path)
			if err != nil {
				return err
			}
			return os.Truncate(path, used/2)
		},
		"zero bytes": func(path string) error { return os.Truncate(path, 0) },
		"random garbage": func(path string) error {
			fi, err := os.Stat(path)
			if err != nil {
				return err
			}
			b := make([]byte, fi.Size())
			rand.Read(b)
			return os.WriteFile(path, b, 0o600)
		},
	}
}
