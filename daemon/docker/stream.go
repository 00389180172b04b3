package docker

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/moby/moby/api/types/jsonstream"

	"github.com/container-runtime/container-runtime/api"
)

// recorder remembers whether the answer to a request has begun, after
// which an error can no longer become a status.
type recorder struct {
	http.ResponseWriter
	began bool
}

func (rec *recorder) WriteHeader(status int) {
	rec.began = true
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(p []byte) (int, error) {
	rec.began = true
	return rec.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// began reports whether the answer to w has begun.
func began(w http.ResponseWriter) bool {
	rec, ok := w.(*recorder)
	return ok && rec.began
}

// flushWriter streams an answer: the 200 header goes with the first
// write, and every write is flushed at once. Safe for concurrent use.
type flushWriter struct {
	mu          sync.Mutex
	w           http.ResponseWriter
	contentType string
	began       bool
}

func newFlushWriter(w http.ResponseWriter, contentType string) *flushWriter {
	return &flushWriter{w: w, contentType: contentType}
}

// begin sends the header unless it was sent. Callers hold mu.
func (fw *flushWriter) begin() {
	if !fw.began {
		fw.began = true
		fw.w.Header().Set("Content-Type", fw.contentType)
		fw.w.WriteHeader(http.StatusOK)
	}
}

// Start sends the header now (wait and events: the client learns that
// the request is in place).
func (fw *flushWriter) Start() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.begin()
	return http.NewResponseController(fw.w).Flush()
}

// Write sends p and flushes it.
func (fw *flushWriter) Write(p []byte) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.begin()
	n, err := fw.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, http.NewResponseController(fw.w).Flush()
}

// frameWriter writes the service's frames in Docker's format: stdout and
// stderr as multiplexed frames (the same 8-byte header as ours), or raw
// for a tty; our exit frame has no Docker equivalent and is dropped.
type frameWriter struct {
	w   *flushWriter
	tty bool
}

// WriteFrame implements api.FrameWriter.
func (fw frameWriter) WriteFrame(stream byte, p []byte) error {
	switch {
	case stream != api.Stdout && stream != api.Stderr:
		return nil
	case fw.tty:
		_, err := fw.w.Write(p)
		return err
	}
	return api.WriteFrame(fw.w, stream, p)
}

// jsonWriter writes Docker's JSON message stream (pull, push, load,
// build): one jsonstream.Message a line.
type jsonWriter struct {
	w *flushWriter
}

func (jw jsonWriter) send(m jsonstream.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = jw.w.Write(append(b, '\r', '\n'))
	return err
}

// fail ends the stream with an error the client shows and exits non-zero
// for, or returns err as the answer's status when nothing was sent yet.
func (jw jsonWriter) fail(err error) error {
	jw.w.mu.Lock()
	began := jw.w.began
	jw.w.mu.Unlock()
	if !began {
		return err
	}
	jw.send(jsonstream.Message{Error: &jsonstream.Error{Message: err.Error()}})
	return nil
}

// Write sends p as a {"stream": ...} line (human output of a build).
func (jw jsonWriter) Write(p []byte) (int, error) {
	if err := jw.send(jsonstream.Message{Stream: string(p)}); err != nil {
		return 0, err
	}
	return len(p), nil
}
