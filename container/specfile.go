package container

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// saveSpec writes config.json of a new container, before its record is
// inserted. A container's record must not outlive its spec, so the write
// is durable (atomicfile; its two fsyncs were 0.8 ms of the 2.1 ms of a
// create on ext4 here). For an --rm container the syncs protect nothing
// worth their cost: it is made to go with its run, and a power cut ends
// every run. So its spec is written without a sync, and without
// atomicfile's temporary file and rename, which protect a file that
// readers may see being replaced: this one is new, in a new directory,
// and nothing reads it before the record exists (a daemon that dies
// before the insert leaves a directory without record, which the next
// start removes). If a power cut loses the file while the record
// survived, the next daemon start removes the container
// (removeIfSpecLost).
func (s *Service) saveSpec(id string, b []byte, autoRemove bool) error {
	path := s.specPath(id)
	if !autoRemove {
		return atomicfile.Write(path, b, 0o600)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the container's spec: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the container's spec %s: %w", path, err)
	}
	return nil
}

// removeIfSpecLost removes a created --rm container whose spec cannot be
// read, which a power cut can cause (saveSpec), and reports whether it
// did: such a container could never start. Called by recover, before
// requests are served.
func (s *Service) removeIfSpecLost(ctx context.Context, e *entry) bool {
	r := e.snapshot()
	if !r.Config.AutoRemove || r.State.Status != StateCreated {
		return false
	}
	_, err := s.loadSpec(e)
	if err == nil {
		return false
	}
	log := logctx.From(ctx)
	log.Warn("removing an --rm container that never started: its spec was lost", "container", r.ID, "error", err)
	e.op.Lock()
	defer e.op.Unlock()
	if err := s.removeLocked(ctx, e, false, false); err != nil {
		log.Warn("removing an --rm container whose spec was lost", "container", r.ID, "error", err)
	}
	return true
}

// decodedSpec is a copy of a container's spec decoded ahead of its use.
type decodedSpec struct {
	from []byte        // the encoding it is decoded from
	done chan struct{} // closed when spec and err are set
	spec *specs.Spec
	err  error
}

// prepareSpec decodes a copy of e's spec in the background, for the next
// loadSpec. Decoding it (11 KB of JSON, most of it the seccomp profile)
// took 0.3 ms of a start here; after a create, which `run` follows with
// a start, it is done while the client sends its next requests.
func (e *entry) prepareSpec() {
	e.mu.Lock()
	d := &decodedSpec{from: e.spec, done: make(chan struct{})}
	e.decoded = d
	e.mu.Unlock()
	go func() {
		defer close(d.done)
		d.spec, d.err = decodeSpec(e.id, d.from)
	}()
}

// loadSpec returns a copy of the spec Create saved, which the caller may
// change: the one prepareSpec decoded if it is of the current spec, else
// a new one. config.json is read only when this daemon has not seen it
// yet.
func (s *Service) loadSpec(e *entry) (*specs.Spec, error) {
	id := e.id
	e.mu.Lock()
	b, d := e.spec, e.decoded
	e.decoded = nil
	e.mu.Unlock()
	if d != nil && bytes.Equal(d.from, b) {
		<-d.done
		if d.err == nil {
			return d.spec, nil
		}
	}
	if b == nil {
		var err error
		if b, err = os.ReadFile(s.specPath(id)); err != nil {
			return nil, fmt.Errorf("reading the spec of container %s: %w", id, err)
		}
		e.mu.Lock()
		e.spec = b
		e.mu.Unlock()
	}
	return decodeSpec(id, b)
}

// decodeSpec decodes the spec of container id.
func decodeSpec(id string, b []byte) (*specs.Spec, error) {
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("decoding the spec of container %s: %w", id, err)
	}
	if spec.Process == nil || spec.Linux == nil || spec.Root == nil {
		return nil, fmt.Errorf("the spec of container %s is incomplete", id)
	}
	return &spec, nil
}
