package daemon

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func (s *Server) imageInspect(w http.ResponseWriter, r *http.Request) error {
	img, err := s.cfg.Images.Inspect(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, img)
	return nil
}

func (s *Server) imageHistory(w http.ResponseWriter, r *http.Request) error {
	h, err := s.cfg.Images.History(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if h == nil {
		h = []api.HistoryEntry{}
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) imageTag(w http.ResponseWriter, r *http.Request) error {
	var req api.TagRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"name\" is required")
	}
	if err := s.cfg.Images.Tag(r.Context(), r.PathValue("ref"), req.Name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) imageRemove(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	force := q.bool("force", false)
	if q.err != nil {
		return q.err
	}
	report, err := s.cfg.Images.Remove(r.Context(), r.PathValue("ref"), force)
	if err != nil {
		return err
	}
	if report == nil {
		report = []string{}
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

func (s *Server) imagePrune(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	all := q.bool("all", false)
	if q.err != nil {
		return q.err
	}
	report, err := s.cfg.Images.Prune(r.Context(), all)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

// imageImport streams the request body (a root filesystem tar, of any
// size) into the store.
func (s *Server) imageImport(w http.ResponseWriter, r *http.Request) error {
	name := newQuery(r).string("name")
	// Progress lines go out while the body still comes in; HTTP/1 servers
	// otherwise close the body at the first write.
	if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
		return fmt.Errorf("streaming the import: %w", err)
	}
	lw := newLazyWriter(w, contentNDJSON)
	id, err := s.importImage(r, name, progressWriter{lw})
	if err == nil {
		// A tar's trailing padding may stay unread; reading it (bounded)
		// keeps the connection usable (see imageLoad). Not after a
		// failure: the client may still be sending, waiting for our answer.
		io.Copy(io.Discard, io.LimitReader(r.Body, maxTrailingBody))
	}
	return finishProgress(w, r, lw, id, err)
}

func (s *Server) imageExport(w http.ResponseWriter, r *http.Request) error {
	return s.cfg.Images.Export(r.Context(), r.PathValue("ref"), newLazyWriter(w, contentTar))
}

func (s *Server) imageBootstrap(w http.ResponseWriter, r *http.Request) error {
	var req api.BootstrapRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	lw := newLazyWriter(w, contentNDJSON)
	id, err := s.cfg.Images.Bootstrap(r.Context(), req, progressWriter{lw})
	return finishProgress(w, r, lw, id, err)
}

func (s *Server) build(w http.ResponseWriter, r *http.Request) error {
	var req api.BuildRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	// The paths are the daemon's: the context must be absolute (relative
	// to the daemon's working directory would mean nothing to the
	// client); the Dockerfile is absolute or relative to the context, and
	// the builder refuses one outside the context. A Dockerfile sent as
	// content is read from nowhere: its path only names it in messages,
	// and the context it builds in must be given.
	switch {
	case req.DockerfileContent != "" && req.ContextDir == "":
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"contextDir\" is required with \"dockerfileContent\"")
	case req.DockerfileContent != "" && !filepath.IsAbs(req.ContextDir):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"contextDir\": %q is not an absolute path", req.ContextDir)
	case req.DockerfileContent != "":
	case req.Dockerfile == "" && req.ContextDir == "":
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"dockerfile\" or \"contextDir\" is required")
	case req.ContextDir != "" && !filepath.IsAbs(req.ContextDir):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"contextDir\": %q is not an absolute path", req.ContextDir)
	case req.ContextDir == "" && !filepath.IsAbs(req.Dockerfile):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"dockerfile\": %q is not an absolute path, and no contextDir is given for it to be relative to", req.Dockerfile)
	}
	lw := newLazyWriter(w, contentNDJSON)
	id, err := s.cfg.Images.Build(r.Context(), req, progressWriter{lw})
	return finishProgress(w, r, lw, id, err)
}
