package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config is what a Server serves.
type Config struct {
	Containers ContainerService
	Images     ImageService
	// Networks serves the network routes; nil answers them 503.
	Networks NetworkService
	// Volumes serves the volume routes; nil answers them 503.
	Volumes VolumeService
	// Distribution serves pull, push, save, load, login and logout; nil
	// answers them 503.
	Distribution DistributionService
	// Events is the bus the events route subscribes to; the server keeps
	// the last HistorySize events for `since`.
	Events EventSource
	// Root is INSTALL_PATH, shown by info and measured by df.
	Root string
	// CgroupLayout names the host's cgroup layout (legacy, hybrid,
	// unified), shown by info. main asks internal/cgroup, so that the
	// HTTP layer imports no engine package.
	CgroupLayout string
	// Logger receives the request log (debug) and failures; nil discards.
	Logger *slog.Logger
	// HistorySize bounds the event history (default 1000).
	HistorySize int
	// Docker serves the requests outside /v1/ (the Docker Engine API,
	// package daemon/docker); nil answers them as unknown routes.
	Docker http.Handler
}

// Server serves the API. Create it with New, call Serve for each
// listener, and Shutdown at the end.
type Server struct {
	cfg     Config
	log     *slog.Logger
	http    *http.Server
	history *eventHistory

	// inflight counts running handlers, hijacked sessions included.
	inflight sync.WaitGroup
	// streamCtx derives the context of an endless stream (events, logs
	// -f, attach, exec, trace, wait): it also ends when Shutdown begins.
	streamCtx  func(context.Context) (context.Context, context.CancelFunc)
	endStreams context.CancelFunc
	// abort cancels every request's context (Shutdown's deadline passed).
	abort context.CancelFunc

	connsMu sync.Mutex
	conns   map[net.Conn]struct{} // hijacked connections
}

// New returns a server for cfg. It starts recording events into the
// history at once.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HistorySize <= 0 {
		cfg.HistorySize = defaultHistory
	}
	s := &Server{cfg: cfg, log: cfg.Logger, conns: map[net.Conn]struct{}{}}

	base, abort := context.WithCancel(context.Background())
	streams, endStreams := context.WithCancel(base)
	s.abort, s.endStreams = abort, endStreams
	s.streamCtx = func(ctx context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(streams, cancel)
		return ctx, func() { stop(); cancel() }
	}

	s.history = newEventHistory(cfg.HistorySize)
	if cfg.Events != nil {
		// Subscribed before the server is made: an event published once
		// the daemon is up reaches the history and every client.
		go s.history.record(base, cfg.Events, cfg.Events.Subscribe(base))
	}

	s.http = &http.Server{
		Handler:     s.Handler(),
		BaseContext: func(net.Listener) context.Context { return base },
		// A client gets this long to send its request header; bodies and
		// answers are unbounded in time (imports, builds, streams).
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	return s
}

// Handler returns the API's handler: routes, logging, panic recovery.
func (s *Server) Handler() http.Handler {
	return s.instrument(s.routes())
}

// Serve accepts connections on l until Shutdown; it returns nil then.
// It may be called for several listeners at once.
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, ends the endless streams, and
// waits for the other requests to finish until ctx ends; then it cancels
// those left and closes every connection. Containers are not touched.
func (s *Server) Shutdown(ctx context.Context) error {
	s.endStreams()
	err := s.http.Shutdown(ctx)
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	// Whatever is left is cut: contexts canceled, connections closed.
	s.abort()
	s.http.Close()
	s.closeHijacked()
	return err
}

// track remembers a hijacked connection so that Shutdown can close it.
func (s *Server) track(c net.Conn) (untrack func()) {
	s.connsMu.Lock()
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
	return func() {
		s.connsMu.Lock()
		delete(s.conns, c)
		s.connsMu.Unlock()
	}
}

func (s *Server) closeHijacked() {
	s.connsMu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.connsMu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}
