package daemon

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func (s *Server) execCreate(w http.ResponseWriter, r *http.Request) error {
	var req api.ExecCreate
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.Cmd) == 0 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"cmd\" is required")
	}
	q := newQuery(r)
	start := q.bool("start", false)
	if q.err != nil {
		return q.err
	}
	id, err := s.cfg.Containers.ExecCreate(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	if start {
		// Created and started in one request: the answer is exec start's,
		// with the exec's id in a header of the 101.
		return s.session(w, r, func(ctx context.Context, conn *upgradeConn) error {
			conn.header = api.ExecIDHeader + ": " + id + "\r\n"
			return s.cfg.Containers.ExecStart(ctx, id, conn)
		})
	}
	writeJSON(w, http.StatusCreated, api.ExecCreated{ID: id})
	return nil
}

func (s *Server) execStart(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	return s.session(w, r, func(ctx context.Context, conn *upgradeConn) error {
		return s.cfg.Containers.ExecStart(ctx, id, conn)
	})
}

func (s *Server) execResize(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	h, wd := q.uint16("h"), q.uint16("w")
	if q.err != nil {
		return q.err
	}
	return noContent(w, s.cfg.Containers.ExecResize(r.Context(), r.PathValue("id"), h, wd))
}

func (s *Server) execInspect(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Containers.ExecInspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// session runs an attach or exec session on the upgraded connection.
// An error before the upgrade is answered with its status; after it, the
// client is told in a last stderr frame and the connection is closed.
func (s *Server) session(w http.ResponseWriter, r *http.Request, run func(context.Context, *upgradeConn) error) error {
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	conn := &upgradeConn{w: w, track: s.track}
	// Deferred, so that a panicking service does not leak the connection
	// (net/http does not close hijacked ones).
	defer conn.close()
	err := run(ctx, conn)
	if !conn.upgraded() {
		return err
	}
	if err != nil && ctx.Err() == nil {
		logger(r).Debug("session ended with an error", "path", r.URL.Path, "err", err)
		api.WriteFrame(conn, api.Stderr, []byte("error: "+err.Error()+"\n"))
	}
	return nil
}
