package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// DistributionService is what the pull, push, save, load, login and
// logout routes call; cmd/container-runtimed's distributionService
// implements it over package distribution. Progress functions are called
// from one goroutine at a time. Credentials in requests are used, never
// logged.
type DistributionService interface {
	// Pull fetches req.Ref into the store and returns the image's id.
	Pull(ctx context.Context, req api.PullRequest, progress func(api.Progress)) (string, error)
	// Push uploads the image named ref to the registry ref names and
	// returns the image's id and the manifest's digest.
	Push(ctx context.Context, ref string, req api.PushRequest, progress func(api.Progress)) (id, digest string, err error)
	// Save writes the images refs name to w as a tar in format
	// (api.SaveFormatDocker or api.SaveFormatOCI). An error returned
	// before the first write becomes the answer's status.
	Save(ctx context.Context, refs []string, format string, w io.Writer) error
	// Load registers the images of the archive r and returns them.
	Load(ctx context.Context, r io.Reader, progress func(api.Progress)) ([]api.ImageSummary, error)
	// Login checks the credentials with the registry and stores them;
	// wrong ones fail with errdefs.ErrUnauthorized.
	Login(ctx context.Context, req api.LoginRequest) error
	// Logout forgets a registry's credentials (ErrNotFound: there were
	// none).
	Logout(ctx context.Context, registry string) error
}

// maxTrailingBody bounds what imageLoad reads of a body after the
// archive's end (tar pads to 10 KiB records).
const maxTrailingBody = 1 << 20

// distributionRoutes registers the routes of DistributionService.
// "save", "load" and "pull" under /v1/images/ are literal segments, which
// win over {ref}: an image named exactly "save" is inspected as
// "save:latest".
func (s *Server) distributionRoutes(handle func(string, errHandler)) {
	handle("POST /v1/images/pull", s.imagePull)
	handle("POST /v1/images/{ref}/push", s.imagePush)
	handle("GET /v1/images/save", s.imageSave)
	handle("POST /v1/images/load", s.imageLoad)
	handle("POST /v1/auth/login", s.authLogin)
	handle("POST /v1/auth/logout", s.authLogout)
}

// distribution returns the distribution service, or ErrUnavailable when
// the daemon runs without one.
func (s *Server) distribution() (DistributionService, error) {
	if s.cfg.Distribution == nil {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon exchanges no images with registries")
	}
	return s.cfg.Distribution, nil
}

// progressLines returns a progress function writing NDJSON lines to lw.
// A write error (the client left) is dropped: the service's context ends
// with the request's.
func progressLines(lw *lazyWriter) func(api.Progress) {
	return func(p api.Progress) { _ = lw.writeLine(p) }
}

// finishLine ends a progress stream with last, or with the error. An
// error before anything was sent is answered with its status instead.
func finishLine(r *http.Request, lw *lazyWriter, last api.Progress, err error) error {
	if err == nil {
		return lw.writeLine(last)
	}
	if truncated := bodyTruncated(r); truncated != nil {
		err = truncated
	}
	if !lw.hasBegun() {
		return err
	}
	_, kind := statusOf(err)
	logger(r).Debug("stream failed", "path", r.URL.Path, "err", err)
	return lw.writeLine(api.Progress{Error: &api.Error{Kind: kind, Message: err.Error()}})
}

func (s *Server) imagePull(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	var req api.PullRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Ref == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"ref\" is required")
	}
	lw := newLazyWriter(w, contentNDJSON)
	id, err := ds.Pull(r.Context(), req, progressLines(lw))
	return finishLine(r, lw, api.Progress{ID: id}, err)
}

func (s *Server) imagePush(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	var req api.PushRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	lw := newLazyWriter(w, contentNDJSON)
	id, digest, err := ds.Push(r.Context(), r.PathValue("ref"), req, progressLines(lw))
	return finishLine(r, lw, api.Progress{ID: id, Digest: digest}, err)
}

// imageSave answers GET /v1/images/save?names=A&names=B (or names=A,B)
// &format=docker|oci with the archive.
func (s *Server) imageSave(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	q := newQuery(r)
	var names []string
	for _, v := range q.v["names"] {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter names is required (the images to save)")
	}
	format := q.string("format")
	switch format {
	case "", api.SaveFormatDocker, api.SaveFormatOCI:
	default:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter format=%q: want %q or %q", format, api.SaveFormatDocker, api.SaveFormatOCI)
	}
	return ds.Save(r.Context(), names, format, newLazyWriter(w, contentTar))
}

// imageLoad reads an archive from the body and answers NDJSON progress;
// the last line lists what was loaded.
func (s *Server) imageLoad(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	// Progress goes out while the body still comes in (see imageImport).
	if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
		return fmt.Errorf("streaming the load: %w", err)
	}
	lw := newLazyWriter(w, contentNDJSON)
	imgs, err := ds.Load(r.Context(), r.Body, progressLines(lw))
	// A tar ends before its padding: read what is left (bounded) so that
	// the body is consumed when the handler returns. net/http, in full
	// duplex, otherwise races its own discard of the rest with the next
	// request on the connection ("invalid concurrent Body.Read call").
	io.Copy(io.Discard, io.LimitReader(r.Body, maxTrailingBody))
	last := api.Progress{Loaded: []string{}}
	for _, img := range imgs {
		last.ID = img.ID
		if len(img.Names) > 0 {
			last.Loaded = append(last.Loaded, img.Names...)
		} else {
			last.Loaded = append(last.Loaded, img.ID)
		}
	}
	if err == nil && len(imgs) == 0 {
		err = errdefs.Kindf(errdefs.ErrInvalidArgument, "the archive holds no image")
	}
	return finishLine(r, lw, last, err)
}

func (s *Server) authLogin(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	var req api.LoginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "fields \"username\" and \"password\" are required")
	}
	if err := ds.Login(r.Context(), req); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.LoginResult{Status: "Login Succeeded"})
	return nil
}

func (s *Server) authLogout(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.distribution()
	if err != nil {
		return err
	}
	var req api.LogoutRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	return noContent(w, ds.Logout(r.Context(), req.Registry))
}
