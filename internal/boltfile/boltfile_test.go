package boltfile

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// writeDB makes a database with enough records to span many pages and
// returns its path.
func writeDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("records"))
		if err != nil {
			return err
		}
		for i := range 400 {
			if err := b.Put(fmt.Appendf(nil, "key-%04d", i), bytes.Repeat([]byte{byte(i)}, 700)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenRefusesDamage: every kind of damage gives a DamagedError that
// names the file, never a SIGBUS and never an empty database.
func TestOpenRefusesDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func(n int64) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	pageSize := int64(os.Getpagesize())
	cases := []struct {
		name   string
		damage func(t *testing.T, path string, size int64)
		reason string
	}{
		{"truncated to half", func(t *testing.T, path string, size int64) {
			// Half of the pages in use, not of the file: bbolt grows its
			// file ahead of use.
			used, err := InUse(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, used/2/pageSize*pageSize); err != nil {
				t.Fatal(err)
			}
		}, "cut short"},
		{"truncated mid-page", func(t *testing.T, path string, size int64) {
			if err := os.Truncate(path, size/2+100); err != nil {
				t.Fatal(err)
			}
		}, "not a whole number"},
		{"zero bytes", func(t *testing.T, path string, size int64) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "empty"},
		{"random garbage", func(t *testing.T, path string, size int64) {
			if err := os.WriteFile(path, garbage(size), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "meta page 0"},
		{"second meta page overwritten", func(t *testing.T, path string, size int64) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(garbage(pageSize), pageSize); err != nil {
				t.Fatal(err)
			}
		}, "meta page 1"},
		{"data pages overwritten", func(t *testing.T, path string, size int64) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(garbage(size-2*pageSize), 2*pageSize); err != nil {
				t.Fatal(err)
			}
		}, "damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeDB(t)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() < 16*pageSize {
				t.Fatalf("test database only %d bytes: too small to damage meaningfully", fi.Size())
			}
			tc.damage(t, path, fi.Size())
			before, _ := os.ReadFile(path)
			db, created, err := Open(path, 0o600, nil)
			if err == nil {
				db.Close()
				t.Fatalf("Open of a damaged database succeeded (created=%v)", created)
			}
			var d *DamagedError
			if !errors.As(err, &d) {
				t.Fatalf("error %v (%T) is not a DamagedError", err, err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("error %q does not name %s and %q", err, path, tc.reason)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatalf("Open changed the damaged file (%d bytes before, %d after)", len(before), len(after))
			}
		})
	}
}

// TestOpenWhole: a whole database opens with its records; a missing one
// is created and reported as such.
func TestOpenWhole(t *testing.T) {
	path := writeDB(t)
	db, created, err := Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if created {
		t.Fatal("an existing database reported as created")
	}
	n := 0
	db.View(func(tx *bolt.Tx) error { n = tx.Bucket([]byte("records")).Stats().KeyN; return nil })
	if n != 400 {
		t.Fatalf("%d records, want 400", n)
	}

	fresh := filepath.Join(t.TempDir(), "new.db")
	db2, created, err := Open(fresh, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if !created {
		t.Fatal("a new database not reported as created")
	}
}

// TestOpenLocked: a database another open holds is reported as in use
// (ErrUnavailable), not as damaged.
func TestOpenLocked(t *testing.T) {
	path := writeDB(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, _, err = Open(path, 0o600, &bolt.Options{Timeout: 100_000_000})
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

// TestOpenEveryPageGarbled overwrites one page at a time with garbage:
// Open either refuses with a DamagedError or opens a database whose
// records all read back (the page was free). It never crashes the
// process, which is what this test would do on a SIGBUS or SIGSEGV.
func TestOpenEveryPageGarbled(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	orig := writeDB(t)
	want, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := os.Getpagesize()
	refused := 0
	for page := 2; page < len(want)/pageSize; page++ {
		b := bytes.Clone(want)
		for i := page * pageSize; i < (page+1)*pageSize; i++ {
			b[i] = byte(rng.UintN(256))
		}
		path := filepath.Join(t.TempDir(), "garbled.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, _, err := Open(path, 0o600, nil)
		if err != nil {
			if _, ok := errors.AsType[*DamagedError](err); !ok {
				t.Fatalf("page %d: error %v is not a DamagedError", page, err)
			}
			refused++
			continue
		}
		n := 0
		db.View(func(tx *bolt.Tx) error { n = tx.Bucket([]byte("records")).Stats().KeyN; return nil })
		db.Close()
		if n != 400 {
			t.Fatalf("page %d garbled: opened with %d records, want 400", page, n)
		}
	}
	if refused == 0 {
		t.Fatal("no garbled page was refused")
	}
}
