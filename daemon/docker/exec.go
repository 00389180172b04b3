package docker

import (
	"context"
	"io"
	"net/http"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func (h *Handler) execCreate(w http.ResponseWriter, r *http.Request) error {
	var req container.ExecCreateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	if len(req.Cmd) == 0 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Cmd: no exec command specified")
	}
	if req.DetachKeys != "" {
		return unsupported("DetachKeys", "detach keys for an exec")
	}
	x := api.ExecCreate{Cmd: req.Cmd, Env: req.Env, WorkingDir: req.WorkingDir, User: req.User, Tty: req.Tty,
		Stdin: req.AttachStdin, Privileged: req.Privileged}
	if cs := req.ConsoleSize; cs != nil {
		x.ConsoleSize = [2]uint16{uint16(min(cs[0], 65535)), uint16(min(cs[1], 65535))}
	}
	id, err := h.cfg.Containers.ExecCreate(r.Context(), r.PathValue("id"), x)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, common.IDResponse{ID: id})
}

// execStart runs the process: hijacked (the client's stdio), or detached
// (200 at once, the output dropped).
func (h *Handler) execStart(w http.ResponseWriter, r *http.Request) error {
	var req container.ExecStartRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	x, err := h.cfg.Containers.ExecInspect(r.Context(), id)
	if err != nil {
		return err
	}
	if x.Running || x.ExitCode != nil {
		return errdefs.Kindf(errdefs.ErrConflict, "exec %s has already been started", id)
	}
	if req.Detach {
		// The process outlives the request: only Close ends its relay.
		go h.cfg.Containers.ExecStart(h.streams, id, discardConn{done: h.streams.Done()})
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if cs := req.ConsoleSize; cs != nil && req.Tty {
		h.cfg.Containers.ExecResize(r.Context(), id, uint16(min(cs[0], 65535)), uint16(min(cs[1], 65535)))
	}
	return h.runSession(w, r, req.Tty, true, func(ctx context.Context, s *session) error {
		// As Docker: the connection is taken over before the exec starts,
		// and its errors (a missing program) reach the client on it.
		if err := s.open(); err != nil {
			return nil
		}
		return h.cfg.Containers.ExecStart(ctx, id, s)
	})
}

// discardConn is the connection of a detached exec: nothing to read until
// the end, output dropped.
type discardConn struct{ done <-chan struct{} }

func (c discardConn) Read([]byte) (int, error) {
	<-c.done
	return 0, io.EOF
}

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }

func (h *Handler) execResize(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	height, width := q.int("h", 0), q.int("w", 0)
	if q.err != nil {
		return q.err
	}
	if height < 0 || width < 0 || height > 65535 || width > 65535 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameters h and w: %dx%d is not a terminal size", height, width)
	}
	return h.resizeOK(w, h.cfg.Containers.ExecResize(r.Context(), r.PathValue("id"), uint16(height), uint16(width)))
}

func (h *Handler) execInspect(w http.ResponseWriter, r *http.Request) error {
	x, err := h.cfg.Containers.ExecInspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, container.ExecInspectResponse{
		ID: x.ID, ContainerID: x.ContainerID, Running: x.Running, ExitCode: x.ExitCode, Pid: x.Pid,
		OpenStdout: true, OpenStderr: true, ProcessConfig: &container.ExecProcessConfig{},
	})
}
