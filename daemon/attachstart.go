package daemon

import (
	"errors"
	"sync"
)

// errSessionOver fails the upgrade of an attach session that already
// ended: its container is not started any more.
var errSessionOver = errors.New("the attach session ended before the start")

// attachStart is the start of POST /containers/{id}/attach?start=1: one
// round trip instead of attach then start for a client that runs a
// container in the foreground (container-runtime run). Attach first
// registers the client for the container's output, then uses the
// connection: the start runs there (upgradeConn.before), before the 101,
// so that nothing the container writes is lost and a failed start is
// answered with start's own status and message.
type attachStart struct {
	start func() error

	// mu is held during the start, so that end waits for its outcome.
	mu    sync.Mutex
	ended bool
	tried bool
	err   error
}

// run starts the container, unless the session ended already (Attach
// returned without using the connection and a late read comes in).
func (a *attachStart) run() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		return errSessionOver
	}
	a.tried = true
	a.err = a.start()
	return a.err
}

// end marks the session over and reports whether the start ran, and its
// error, after waiting for a start under way.
func (a *attachStart) end() (tried bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ended = true
	return a.tried, a.err
}
