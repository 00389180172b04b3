package daemon

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// ContainerFiles is what the routes on a container's files call (cp,
// diff, export, commit); package container implements it. The container
// service is asked for it (Config.Containers must implement it too);
// without it those routes answer 503.
type ContainerFiles interface {
	// StatPath describes a path of the container without following a
	// final symlink; ErrNotFound for a missing one.
	StatPath(ctx context.Context, id, path string) (api.PathStat, error)
	// CopyFrom writes the path as a tar to w, calling stat before the
	// first byte.
	CopyFrom(ctx context.Context, id, path string, stat func(api.PathStat), w io.Writer) error
	// CopyTo extracts the tar r into the directory path of the container.
	CopyTo(ctx context.Context, id, path string, opts api.CopyToOptions, r io.Reader) error
	// Changes lists the paths changed, added and deleted since the image.
	Changes(ctx context.Context, id string) ([]api.ContainerChange, error)
	// Export writes the container's whole filesystem as a tar.
	Export(ctx context.Context, id string, w io.Writer) error
	// Commit makes an image of the container and returns its id.
	Commit(ctx context.Context, id string, req api.ContainerCommit) (string, error)
}

// ImageImporter imports a root filesystem tarball with a config change
// and a message (`import -c ... -m ...`); cmd/container-runtimed's image
// service implements it besides ImageService.Import.
type ImageImporter interface {
	ImportWith(ctx context.Context, r io.Reader, opts api.ImageImportOptions, progress io.Writer) (string, error)
}

// archiveRoutes adds the routes of this file.
func (s *Server) archiveRoutes(handle func(string, errHandler)) {
	handle("HEAD /v1/containers/{id}/archive", s.containerArchiveStat)
	handle("GET /v1/containers/{id}/archive", s.containerArchiveGet)
	handle("PUT /v1/containers/{id}/archive", s.containerArchivePut)
	handle("GET /v1/containers/{id}/changes", s.containerChanges)
	handle("GET /v1/containers/{id}/export", s.containerExport)
	handle("POST /v1/containers/{id}/commit", s.containerCommit)
}

// files returns the service of a container's files.
func (s *Server) files() (ContainerFiles, error) {
	f, ok := s.cfg.Containers.(ContainerFiles)
	if !ok {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not serve containers' files")
	}
	return f, nil
}

// archivePath reads the required path query parameter.
func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter path: a path in the container is required")
	}
	return p, nil
}

// setPathStat writes the PathStat header (base64 of JSON, as Docker).
func setPathStat(w http.ResponseWriter, st api.PathStat) {
	b, _ := json.Marshal(st)
	w.Header().Set(api.PathStatHeader, base64.StdEncoding.EncodeToString(b))
}

// containerArchiveStat is HEAD /v1/containers/{id}/archive?path=P: the
// PathStat header only. A HEAD answer has no body, so an error's message
// also goes in api.ErrorHeader.
func (s *Server) containerArchiveStat(w http.ResponseWriter, r *http.Request) error {
	err := func() error {
		f, err := s.files()
		if err != nil {
			return err
		}
		p, err := archivePath(r)
		if err != nil {
			return err
		}
		st, err := f.StatPath(r.Context(), r.PathValue("id"), p)
		if err != nil {
			return err
		}
		setPathStat(w, st)
		w.WriteHeader(http.StatusOK)
		return nil
	}()
	if err != nil {
		w.Header().Set(api.ErrorHeader, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return err
}

// containerArchiveGet is GET /v1/containers/{id}/archive?path=P: the path
// as a tar, with the PathStat header.
func (s *Server) containerArchiveGet(w http.ResponseWriter, r *http.Request) error {
	f, err := s.files()
	if err != nil {
		return err
	}
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	lw := newLazyWriter(w, contentTar)
	return f.CopyFrom(r.Context(), r.PathValue("id"), p, func(st api.PathStat) { setPathStat(w, st) }, lw)
}

// containerArchivePut is PUT /v1/containers/{id}/archive?path=P with a tar
// body: extracted into the directory P.
func (s *Server) containerArchivePut(w http.ResponseWriter, r *http.Request) error {
	f, err := s.files()
	if err != nil {
		return err
	}
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	opts := api.CopyToOptions{
		CopyUIDGID:           q.bool("copyUIDGID", false),
		NoOverwriteDirNonDir: q.bool("noOverwriteDirNonDir", false),
	}
	if q.err != nil {
		return q.err
	}
	if err := f.CopyTo(r.Context(), r.PathValue("id"), p, opts, r.Body); err != nil {
		return err
	}
	// The tar's trailing padding may stay unread; reading it (bounded)
	// keeps the connection usable.
	io.Copy(io.Discard, io.LimitReader(r.Body, maxTrailingBody))
	w.WriteHeader(http.StatusOK)
	return nil
}

// containerChanges is GET /v1/containers/{id}/changes.
func (s *Server) containerChanges(w http.ResponseWriter, r *http.Request) error {
	f, err := s.files()
	if err != nil {
		return err
	}
	changes, err := f.Changes(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if changes == nil {
		changes = []api.ContainerChange{}
	}
	writeJSON(w, http.StatusOK, changes)
	return nil
}

// containerExport is GET /v1/containers/{id}/export: the filesystem as a
// tar.
func (s *Server) containerExport(w http.ResponseWriter, r *http.Request) error {
	f, err := s.files()
	if err != nil {
		return err
	}
	return f.Export(r.Context(), r.PathValue("id"), newLazyWriter(w, contentTar))
}

// containerCommit is POST /v1/containers/{id}/commit with an
// api.ContainerCommit body; answers 201 with the image's id.
func (s *Server) containerCommit(w http.ResponseWriter, r *http.Request) error {
	f, err := s.files()
	if err != nil {
		return err
	}
	var req api.ContainerCommit
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, err := f.Commit(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.IDResponse{ID: id})
	return nil
}

// importImage runs an import: with changes or a message (query parameters
// changes, repeated, and message) through ImageImporter, else through
// ImageService.Import.
func (s *Server) importImage(r *http.Request, name string, progress io.Writer) (string, error) {
	q := r.URL.Query()
	opts := api.ImageImportOptions{Name: name, Changes: q["changes"], Message: q.Get("message")}
	if len(opts.Changes) == 0 && opts.Message == "" {
		return s.cfg.Images.Import(r.Context(), r.Body, name, progress)
	}
	im, ok := s.cfg.Images.(ImageImporter)
	if !ok {
		return "", errdefs.Kindf(errdefs.ErrUnavailable, "this daemon cannot apply changes or a message to an import")
	}
	return im.ImportWith(r.Context(), r.Body, opts, progress)
}
