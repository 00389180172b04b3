package container

import (
	"context"
	"sync"
)

// entry is the in-memory side of one container.
//
// Locking: op serializes the lifecycle operations of the container
// (create, start, exit handling, remove); it is never held while waiting
// for the container to exit. mu guards the fields below it, for short
// sections only; readers (inspect, list, wait) take only mu.
type entry struct {
	id, name string

	op sync.Mutex

	mu  sync.Mutex
	rec *record
	// changed is closed and replaced at every change of rec: waiters
	// select on it.
	changed chan struct{}
	// exits counts the exits seen since the daemon started (next-exit);
	// handled counts those whose handling is over: the run cleaned up, a
	// restart scheduled, an --rm container removed (or its removal
	// failed).
	exits, handled int
	// removed is set once the record is gone; rec keeps the last state
	// for waiters.
	removed bool
	// attachers wait for the next start (attach before start).
	attachers []*attacher
	// stopWatch ends the exit watcher of the current run (nil when none);
	// wakeWatch makes it look for the exit at once (exitSeen).
	stopWatch, wakeWatch context.CancelFunc
	// health runs the health checks of the current run (health.go).
	health *healthRun
	// spec is config.json as Create wrote it (or as the first start or
	// exec after a daemon start read it): the file is written once and
	// read at most once per daemon. Each use decodes its own copy, which
	// it may change (the user resolved at start, an exec's process).
	spec []byte
	// execProcess is the process of spec, encoded alone, and execOf the
	// spec it was taken from (exec.go): an exec decodes that rather than
	// the whole spec, most of which is the seccomp profile.
	execProcess, execOf []byte
	// decoded, when set, is a copy of spec decoded in the background
	// for the next loadSpec (prepareSpec).
	decoded *decodedSpec
	// monitor, when set, is the monitor started ahead of the next start
	// (keepMonitor).
	monitor *pendingMonitor
}

func newEntry(r *record) *entry {
	return &entry{id: r.ID, name: r.Name, rec: r, changed: make(chan struct{})}
}

// handledSince reports whether an exit after the first n has been
// handled.
func (e *entry) handledSince(n int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.handled > n
}

// snapshot returns a copy of the record.
func (e *entry) snapshot() *record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rec.clone()
}

// update changes the record under mu and wakes the waiters.
func (e *entry) update(f func(r *record)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(e.rec)
	e.notifyLocked()
}

func (e *entry) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// observe returns a copy of the record, the exit count and removal, and a
// channel closed at the next change.
func (e *entry) observe() (*record, int, bool, <-chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rec.clone(), e.exits, e.removed, e.changed
}

// waitFor blocks until cond holds for the record (checked now and at every
// change) or ctx ends.
func (e *entry) waitFor(ctx context.Context, cond func(r *record, exits int, removed bool) bool) (*record, error) {
	for {
		r, exits, removed, ch := e.observe()
		if cond(r, exits, removed) {
			return r, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}
}
