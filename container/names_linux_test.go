package container

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestUnnamedCreatesNeverCollide creates 2000 unnamed containers from 8
// goroutines at once: every create succeeds and every name is distinct.
// Before names were reserved with retries, about 4.5% of 1000 such creates
// failed with "the container name X is already in use".
func TestUnnamedCreatesNeverCollide(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const total, workers = 2000, 8
	var (
		mu   sync.Mutex
		ids  []string
		errs []error
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Network: "none", Cmd: []string{"true"}})
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("create %d: %w", i, err))
				} else {
					ids = append(ids, c.ID)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d unnamed creates failed; first: %v", len(errs), total, errs[0])
	}
	if len(ids) != total {
		t.Fatalf("%d containers created, want %d", len(ids), total)
	}
	seen := map[string]string{}
	for _, e := range f.svc.entries() {
		if other, dup := seen[e.name]; dup {
			t.Errorf("containers %.12s and %.12s share the name %q", other, e.id, e.name)
		}
		seen[e.name] = e.id
		if !validName.MatchString(e.name) {
			t.Errorf("generated name %q is not a valid container name", e.name)
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct names for %d containers", len(seen), total)
	}
}

// TestReserveNameWhenPlainNamesRunOut takes every adjective_noun name: an
// unnamed create still gets a free name (with a digit, or its id), and a
// given name that is taken fails with ErrAlreadyExists.
func TestReserveNameWhenPlainNamesRunOut(t *testing.T) {
	d, err := openDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	s := &Service{db: d}
	for _, a := range adjectives {
		for _, n := range nouns {
			if err := s.takeName(a + "_" + n); err != nil {
				t.Fatal(err)
			}
		}
	}
	id := strings.Repeat("ab", 32)
	for i := range 50 {
		name, release, err := s.reserveName(id, "")
		if err != nil {
			t.Fatalf("reservation %d: %v", i, err)
		}
		if name != id && !strings.ContainsAny(name[len(name)-1:], "0123456789") {
			t.Fatalf("reservation %d: got %q, a plain name that is taken", i, name)
		}
		release()
	}

	if _, _, err := s.reserveName(id, "admiring_agnesi"); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Fatalf("a taken given name: got %v, want ErrAlreadyExists", err)
	}
	rec := &record{ID: id, Name: "stored", State: runState{Status: StateCreated}}
	if err := d.insert(rec); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.reserveName(strings.Repeat("cd", 32), "stored"); !errors.Is(err, errdefs.ErrAlreadyExists) || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("the name of a stored container: got %v, want ErrAlreadyExists", err)
	}
}
