package image

import (
	"context"
	"sync"

	"github.com/opencontainers/go-digest"
)

// lease is a set of layers GC must keep while a piece of work (a build, an
// export) is using them but no image or cache entry references them yet.
type lease struct {
	mu     sync.Mutex
	layers map[digest.Digest]struct{}
	// created are the layers of layers that were new to the store when
	// committed under this lease: what Rollback may remove.
	created map[digest.Digest]struct{}
}

type leaseKey struct{ s *Store }

// WithLease returns a context carrying a new lease on this store, and the
// function that releases it. Layers committed or applied with that context,
// and those added with Lease, are kept by GC until release is called. A
// build holds one for its whole run, so that neither the layers it made nor
// those it builds on disappear before its image is registered.
func (s *Store) WithLease(ctx context.Context) (context.Context, func()) {
	l := &lease{layers: map[digest.Digest]struct{}{}}
	s.leaseMu.Lock()
	s.leases[l] = struct{}{}
	s.leaseMu.Unlock()
	var once sync.Once
	release := func() {
		once.Do(func() {
			s.leaseMu.Lock()
			delete(s.leases, l)
			s.leaseMu.Unlock()
		})
	}
	return context.WithValue(ctx, leaseKey{s}, l), release
}

// Lease adds layers to the lease ctx carries. It reports false (and does
// nothing) when ctx carries no lease of this store.
func (s *Store) Lease(ctx context.Context, layers ...digest.Digest) bool {
	l, ok := ctx.Value(leaseKey{s}).(*lease)
	if !ok {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range layers {
		l.layers[d] = struct{}{}
	}
	return true
}

func (s *Store) leaseLayer(ctx context.Context, d digest.Digest) { s.Lease(ctx, d) }

// leaseCreated notes that d, leased by ctx, was new to the store.
func (s *Store) leaseCreated(ctx context.Context, d digest.Digest) {
	l, ok := ctx.Value(leaseKey{s}).(*lease)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.created == nil {
		l.created = map[digest.Digest]struct{}{}
	}
	l.created[d] = struct{}{}
}

// leased returns the union of all live leases.
func (s *Store) leased() map[digest.Digest]bool { return s.leasedExcept(nil) }

// leasedExcept returns the union of the live leases other than skip.
func (s *Store) leasedExcept(skip *lease) map[digest.Digest]bool {
	out := map[digest.Digest]bool{}
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	for l := range s.leases {
		if l == skip {
			continue
		}
		l.mu.Lock()
		for d := range l.layers {
			out[d] = true
		}
		l.mu.Unlock()
	}
	return out
}
