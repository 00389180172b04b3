package volume

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func names(vs []Volume) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// TestStoreLifecycle checks create (idempotent by name, anonymous with
// its label), refusals, users, removal and what survives a reopen.
func TestStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "volumes")
	s := openStore(t, dir)

	v, err := s.Create(ctx, CreateOptions{Name: "data", Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Mountpoint != filepath.Join(dir, "data", "_data") || v.Anonymous() || v.Labels["a"] != "b" || v.CreatedAt.IsZero() {
		t.Errorf("created %+v", v)
	}
	if fi, err := os.Stat(filepath.Join(dir, "data")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the volume's directory: %v %v, want 0700", fi, err)
	}
	if again, err := s.Create(ctx, CreateOptions{Name: "data"}); err != nil || again.Labels["a"] != "b" {
		t.Errorf("a second create of data: %+v %v, want the first", again, err)
	}
	for _, bad := range []CreateOptions{{Name: "x", Driver: "nfs"}, {Name: "xy", DriverOpts: map[string]string{"type": "tmpfs"}}, {Name: "../x"}} {
		if _, err := s.Create(ctx, bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("create %+v: %v, want invalid argument", bad, err)
		}
	}

	random, err := s.Create(ctx, CreateOptions{})
	if err != nil || len(random.Name) != 64 || random.Anonymous() {
		t.Errorf("create without a name: %+v %v, want a random name, not anonymous", random, err)
	}
	s.Remove(ctx, random.Name)

	anon, created, err := s.Acquire(ctx, "", "c1")
	if err != nil || !created || !anon.Anonymous() || len(anon.Name) != 64 {
		t.Fatalf("anonymous acquire: %+v %v %v", anon, created, err)
	}
	if _, created, err := s.Acquire(ctx, "data", "c2"); err != nil || created {
		t.Errorf("acquire of data: created %v, %v", created, err)
	}
	if err := s.Remove(ctx, "data"); !errors.Is(err, errdefs.ErrConflict) || !strings.Contains(err.Error(), "[c2]") {
		t.Errorf("remove of a used volume: %v, want a conflict naming c2", err)
	}
	if removed, err := s.RemoveUnused(ctx, anon.Name); removed || err != nil {
		t.Errorf("RemoveUnused of a used volume: %v %v", removed, err)
	}

	// A reopen knows the volumes, not the users: those come back from
	// the container records (Use).
	s = openStore(t, dir)
	if got := names(s.List()); !slices.Equal(got, slices.Sorted(slices.Values([]string{"data", anon.Name}))) {
		t.Errorf("after reopen: %q", got)
	}
	if err := s.Use("data", "c2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Use("gone", "c2"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Use of a missing volume: %v", err)
	}
	if err := s.Remove(ctx, "data"); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("remove after Use: %v, want a conflict", err)
	}
	s.Release("data", "c2")
	if err := s.Remove(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("the removed volume's directory: %v", err)
	}
	if err := s.Remove(ctx, "data"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
}

// TestStorePrune checks that prune takes only unused volumes that match,
// and counts their bytes.
func TestStorePrune(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "volumes"))
	s.Create(ctx, CreateOptions{Name: "named"})
	a, _, _ := s.Acquire(ctx, "", "c1")
	s.Release(a.Name, "c1")
	b, _, _ := s.Acquire(ctx, "", "c2") // still used
	if err := os.WriteFile(filepath.Join(a.Mountpoint, "f"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	got, space, err := s.Prune(ctx, Volume.Anonymous)
	if err != nil || !slices.Equal(got, []string{a.Name}) || space != 1000 {
		t.Errorf("prune of anonymous volumes: %q %d %v, want %s and 1000 bytes", got, space, err, a.Name)
	}
	got, _, err = s.Prune(ctx, func(Volume) bool { return true })
	if err != nil || !slices.Equal(got, []string{"named"}) {
		t.Errorf("prune of all: %q %v", got, err)
	}
	if left := names(s.List()); !slices.Equal(left, []string{b.Name}) {
		t.Errorf("left: %q", left)
	}
}

// TestOpenRemovesHalfMadeVolumes checks crash recovery: a directory
// without its record (a crash between mkdir and the record's rename, or
// during a removal), a temporary record and a stray file go; a damaged
// record stops the open with the file's name.
func TestOpenRemovesHalfMadeVolumes(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "volumes")
	s := openStore(t, dir)
	s.Create(ctx, CreateOptions{Name: "whole"})
	for _, p := range []string{"half/_data", "whole/_data/keep"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".stray"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	if got := names(s.List()); !slices.Equal(got, []string{"whole"}) {
		t.Errorf("after recovery: %q", got)
	}
	for _, p := range []string{"half", ".stray"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "whole/_data/keep")); err != nil {
		t.Errorf("a whole volume's content: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "whole", recordName), []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "whole", recordName)) {
		t.Errorf("open with a damaged record: %v, want an error naming it", err)
	}
}
