package daemon

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// noContent answers 204 when err is nil.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) containerCreate(w http.ResponseWriter, r *http.Request) error {
	var req api.ContainerCreate
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Image == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"image\" is required")
	}
	created, err := s.cfg.Containers.Create(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) containerPrune(w http.ResponseWriter, r *http.Request) error {
	report, err := s.cfg.Containers.Prune(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

func (s *Server) containerInspect(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cfg.Containers.Inspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) containerRemove(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	force := q.bool("force", false)
	volumes := q.bool("v", false)
	if q.err != nil {
		return q.err
	}
	if volumes {
		return noContent(w, s.cfg.Containers.RemoveWithVolumes(r.Context(), r.PathValue("id"), force))
	}
	return noContent(w, s.cfg.Containers.Remove(r.Context(), r.PathValue("id"), force))
}

func (s *Server) containerStart(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.cfg.Containers.Start(r.Context(), r.PathValue("id")))
}

func (s *Server) containerStop(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	t := q.intPtr("t")
	if q.err != nil {
		return q.err
	}
	return noContent(w, s.cfg.Containers.Stop(r.Context(), r.PathValue("id"), t))
}

func (s *Server) containerRestart(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	t := q.intPtr("t")
	if q.err != nil {
		return q.err
	}
	return noContent(w, s.cfg.Containers.Restart(r.Context(), r.PathValue("id"), t))
}

func (s *Server) containerKill(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.cfg.Containers.Kill(r.Context(), r.PathValue("id"), newQuery(r).string("signal")))
}

func (s *Server) containerPause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.cfg.Containers.Pause(r.Context(), r.PathValue("id")))
}

func (s *Server) containerUnpause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.cfg.Containers.Unpause(r.Context(), r.PathValue("id")))
}

// waitConditions are the conditions of POST /v1/containers/{id}/wait.
var waitConditions = map[string]bool{"not-running": true, "next-exit": true, "removed": true}

func (s *Server) containerWait(w http.ResponseWriter, r *http.Request) error {
	cond := newQuery(r).string("condition")
	if cond == "" {
		cond = "not-running"
	}
	if !waitConditions[cond] {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter condition=%q: want not-running, next-exit or removed", cond)
	}
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	res, err := s.cfg.Containers.Wait(ctx, r.PathValue("id"), cond)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) containerLogs(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := LogsOptions{
		Follow:     q.bool("follow", false),
		Timestamps: q.bool("timestamps", false),
		Stdout:     q.bool("stdout", false),
		Stderr:     q.bool("stderr", false),
		Tail:       q.tail("tail"),
		Since:      q.time("since"),
		Until:      q.time("until"),
	}
	if q.err != nil {
		return q.err
	}
	if !q.has("stdout") && !q.has("stderr") {
		opts.Stdout, opts.Stderr = true, true
	}
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	return s.cfg.Containers.Logs(ctx, r.PathValue("id"), opts, newLazyWriter(w, contentFrames))
}

func (s *Server) containerAttach(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := AttachOptions{
		Stdin:      q.bool("stdin", false),
		Stdout:     q.bool("stdout", false),
		Stderr:     q.bool("stderr", false),
		Logs:       q.bool("logs", false),
		DetachKeys: q.string("detachKeys"),
	}
	start := q.bool("start", false)
	if q.err != nil {
		return q.err
	}
	if !q.has("stdin") && !q.has("stdout") && !q.has("stderr") {
		opts.Stdout, opts.Stderr = true, true
	}
	id := r.PathValue("id")
	return s.session(w, r, func(ctx context.Context, conn *upgradeConn) error {
		conn.header = api.ExitAfterRemovalHeader + ": 1\r\n"
		if !start {
			return s.cfg.Containers.Attach(ctx, id, opts, conn)
		}
		st := &attachStart{start: func() error { return s.cfg.Containers.Start(r.Context(), id) }}
		conn.before = st.run
		conn.header += api.StartedHeader + ": 1\r\n"
		err := s.cfg.Containers.Attach(ctx, id, opts, conn)
		if tried, serr := st.end(); tried {
			if serr != nil {
				return serr
			}
			// The take-over follows the start in the same first use of
			// the connection, maybe still under way in Attach's reader:
			// wait for it, so that the session's end sees it.
			conn.upgrade()
		}
		return err
	})
}

func (s *Server) containerResize(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	h, wd := q.uint16("h"), q.uint16("w")
	if q.err != nil {
		return q.err
	}
	return noContent(w, s.cfg.Containers.Resize(r.Context(), r.PathValue("id"), h, wd))
}

func (s *Server) containerTrace(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	return s.cfg.Containers.Trace(ctx, r.PathValue("id"), newLazyWriter(w, contentText))
}
