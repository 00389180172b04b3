package docker

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
)

// Config is what the Handler serves. The services are the daemon's: main
// gives the same values to daemon.New and to New.
type Config struct {
	Containers daemon.ContainerService
	Images     daemon.ImageService
	// Networks and Distribution may be nil: their routes answer 503.
	Networks     daemon.NetworkService
	Distribution daemon.DistributionService
	// Volumes may be nil: the volume routes answer 503.
	Volumes daemon.VolumeService
	// Events returns the kept events and a channel of the next ones
	// (daemon.Server.SubscribeHistory); nil answers GET /events 503.
	Events func(ctx context.Context) (past []api.Event, next <-chan api.Event)
	// UnpackContext writes a build context (a tar, maybe compressed) into
	// a new private directory and returns it with the function that
	// removes it. main sets it (the HTTP layer touches no files); nil
	// answers POST /build 503.
	UnpackContext func(ctx context.Context, r io.Reader) (dir string, remove func() error, err error)
	// Root, CgroupLayout and Name are shown by GET /info.
	Root         string
	CgroupLayout string
	Name         string
}

// Handler serves the Docker Engine API. Create it with New; Close ends its
// streams and hijacked sessions at shutdown.
type Handler struct {
	cfg Config
	mux *http.ServeMux

	// streams ends the endless streams (events, logs -f, attach, exec,
	// wait) when Close is called.
	streams    context.Context
	endStreams context.CancelFunc

	connsMu sync.Mutex
	conns   map[net.Conn]struct{}
}

// New returns the handler of the Docker Engine API over cfg's services.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, conns: map[net.Conn]struct{}{}}
	h.streams, h.endStreams = context.WithCancel(context.Background())
	h.mux = h.routes()
	return h
}

// ServeHTTP serves one request: the version prefix is checked and taken
// off, then the route runs.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &recorder{ResponseWriter: rw}
	r, err := negotiate(w, r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Close ends the streams in progress and closes the hijacked connections
// (attach, exec). Requests that are not streams are left to the server's
// shutdown.
func (h *Handler) Close() {
	h.endStreams()
	h.connsMu.Lock()
	conns := make([]net.Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.connsMu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// streamCtx derives the context of an endless stream from the request's:
// it also ends when Close is called.
func (h *Handler) streamCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(h.streams, cancel)
	return ctx, func() { stop(); cancel() }
}

// track remembers a hijacked connection so that Close can close it.
func (h *Handler) track(c net.Conn) (untrack func()) {
	h.connsMu.Lock()
	h.conns[c] = struct{}{}
	h.connsMu.Unlock()
	return func() {
		h.connsMu.Lock()
		delete(h.conns, c)
		h.connsMu.Unlock()
	}
}

// errHandler adapts a handler that returns its error.
type errHandler func(w http.ResponseWriter, r *http.Request) error

func (fn errHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := fn(w, r); err != nil {
		writeError(w, r, err)
	}
}
