package daemon

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/container-runtime/container-runtime/api"
)

// Content types of the streams.
const (
	contentNDJSON = "application/x-ndjson"
	contentFrames = "application/vnd.container-runtime.frames"
	contentText   = "text/plain; charset=utf-8"
	contentTar    = "application/x-tar"
)

// lazyWriter streams an answer: nothing is sent until the first write, so
// that a service failing before it writes still gets a proper status;
// every write is flushed to the client at once. It is safe for concurrent
// use (a service may write stdout and stderr from two goroutines); the
// lock is this request's only.
type lazyWriter struct {
	mu          sync.Mutex
	w           http.ResponseWriter
	contentType string
	began       bool
}

func newLazyWriter(w http.ResponseWriter, contentType string) *lazyWriter {
	return &lazyWriter{w: w, contentType: contentType}
}

// begin sends the 200 header unless it was sent. Callers hold mu.
func (lw *lazyWriter) begin() {
	if !lw.began {
		lw.began = true
		lw.w.Header().Set("Content-Type", lw.contentType)
		lw.w.WriteHeader(http.StatusOK)
	}
}

// Start sends the header now, for streams whose client must know the
// subscription is in place before anything happens (events).
func (lw *lazyWriter) Start() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.begin()
	return http.NewResponseController(lw.w).Flush()
}

// Write sends p and flushes it.
func (lw *lazyWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.writeLocked(p)
}

func (lw *lazyWriter) writeLocked(p []byte) (int, error) {
	lw.begin()
	n, err := lw.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, http.NewResponseController(lw.w).Flush()
}

// WriteFrame implements FrameWriter: p goes out as frames of at most
// api.MaxFrame bytes.
func (lw *lazyWriter) WriteFrame(stream byte, p []byte) error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	for first := true; first || len(p) > 0; first = false {
		chunk := p[:min(len(p), api.MaxFrame)]
		p = p[len(chunk):]
		var buf strings.Builder
		buf.Grow(8 + len(chunk))
		if err := api.WriteFrame(&buf, stream, chunk); err != nil {
			return err
		}
		if _, err := lw.writeLocked([]byte(buf.String())); err != nil {
			return err
		}
	}
	return nil
}

// writeLine sends v as one NDJSON line.
func (lw *lazyWriter) writeLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = lw.Write(append(b, '\n'))
	return err
}

// hasBegun reports whether anything was sent.
func (lw *lazyWriter) hasBegun() bool {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.began
}

// progressWriter turns the human-readable progress a service writes into
// NDJSON api.Progress lines, one per write. Builder step headers ("Step
// 2/5 : RUN ...") also fill Step and Steps, and " ---> CACHED" sets
// Cached.
type progressWriter struct {
	lw *lazyWriter
}

func (pw progressWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	line := api.Progress{Stream: string(p)}
	line.Step, line.Steps = stepOf(line.Stream)
	line.Cached = strings.TrimSpace(line.Stream) == "---> CACHED"
	if err := pw.lw.writeLine(line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// stepOf parses "Step N/M : ..." (the builder's step header).
func stepOf(s string) (step, steps int) {
	rest, ok := strings.CutPrefix(s, "Step ")
	if !ok {
		return 0, 0
	}
	frac, _, ok := strings.Cut(rest, " ")
	if !ok {
		return 0, 0
	}
	a, b, ok := strings.Cut(frac, "/")
	if !ok {
		return 0, 0
	}
	n, err1 := strconv.Atoi(a)
	m, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return n, m
}

// finishProgress ends a progress stream: the last line carries the image
// id, or the error. An error before anything was sent is answered with
// its status instead.
func finishProgress(w http.ResponseWriter, r *http.Request, lw *lazyWriter, id string, err error) error {
	return finishLine(r, lw, api.Progress{ID: id}, err)
}

var _ io.Writer = progressWriter{}
