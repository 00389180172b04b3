package daemon

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// recorder remembers what a handler did with its ResponseWriter: the
// status, whether the answer has begun, whether the connection was
// hijacked. Flush and Hijack are implemented here (not only reached
// through Unwrap) so that http.ResponseController finds them and the
// recorder sees them.
type recorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// Flush sends what is buffered to the client.
func (rec *recorder) Flush() { rec.FlushError() }

// FlushError is Flush reporting the failure (http.ResponseController
// prefers it).
func (rec *recorder) FlushError() error {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return http.NewResponseController(rec.ResponseWriter).Flush()
}

// Hijack takes the connection over (attach, exec start).
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(rec.ResponseWriter).Hijack()
	if err == nil {
		rec.hijacked = true
		if rec.status == 0 {
			rec.status = http.StatusSwitchingProtocols
		}
	}
	return conn, brw, err
}

// Unwrap lets http.ResponseController reach the server's writer for the
// rest (deadlines, full duplex).
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// started reports whether the answer to w has begun, after which a
// status can no longer be sent.
func started(w http.ResponseWriter) bool {
	for {
		switch v := w.(type) {
		case *recorder:
			return v.status != 0 || v.hijacked
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return false
		}
	}
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(api.Error{Kind: api.KindInternal, Message: fmt.Sprintf("encoding the answer: %v", err)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// instrument wraps every request: it counts it in flight (Shutdown waits
// for those), gives it a logger in its context, logs it at debug level
// and turns a panic into a 500 answer for this request only.
func (s *Server) instrument(next http.Handler) http.Handler {
	var seq atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Done()
		start := time.Now()
		log := s.log.With("req", seq.Add(1))
		r = r.WithContext(logctx.With(r.Context(), log))
		checkBody(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("handler panicked", "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.hijacked && rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, api.Error{
						Kind: api.KindInternal, Message: fmt.Sprintf("internal error: %v", v)})
				} else {
					// The answer has begun: only cutting the connection
					// tells the client it is incomplete.
					panic(http.ErrAbortHandler)
				}
			}
			log.Debug("request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
				"status", rec.status, "bytes", rec.bytes, "duration", time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// notFound answers requests no route matches: 405 with the allowed
// methods when the path exists under another method, else 404. (The
// ServeMux's own answers are plain text; the API promises api.Error.)
func notFound(mux *http.ServeMux) http.Handler {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, api.Error{Kind: api.KindInvalidArgument,
				Message: fmt.Sprintf("method %s not allowed on %s (allowed: %v)", r.Method, r.URL.Path, allowed)})
			return
		}
		writeJSON(w, http.StatusNotFound, api.Error{Kind: api.KindNotFound,
			Message: fmt.Sprintf("no route %s %s (this daemon serves API %s: see docs/API.md)", r.Method, r.URL.Path, api.Version)})
	})
}

// errHandler adapts a handler that returns its error.
type errHandler func(w http.ResponseWriter, r *http.Request) error

func (h errHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		writeError(w, r, err)
	}
}

// logger returns the request's logger.
func logger(r *http.Request) *slog.Logger { return logctx.From(r.Context()) }
