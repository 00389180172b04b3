package daemon

import (
	"context"
	"errors"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// statusOf maps an error to its HTTP status and api kind: the only place
// in the engine where that happens. Order matters when an error carries
// several kinds (errors.Join): the more specific client mistake wins.
func statusOf(err error) (int, api.ErrorKind) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, api.KindInvalidArgument
	case errors.Is(err, errdefs.ErrUnauthorized):
		// Before invalid argument, which registry refusals also carry.
		return http.StatusUnauthorized, api.KindUnauthorized
	case errors.Is(err, errdefs.ErrInvalidArgument):
		return http.StatusBadRequest, api.KindInvalidArgument
	case errors.Is(err, errdefs.ErrNotFound):
		return http.StatusNotFound, api.KindNotFound
	case errors.Is(err, errdefs.ErrAlreadyExists):
		return http.StatusConflict, api.KindAlreadyExists
	case errors.Is(err, errdefs.ErrConflict):
		return http.StatusConflict, api.KindConflict
	case errors.Is(err, errdefs.ErrUnavailable):
		return http.StatusServiceUnavailable, api.KindUnavailable
	case errors.Is(err, errdefs.ErrNotImplemented):
		return http.StatusNotImplemented, api.KindNotImplemented
	}
	return http.StatusInternalServerError, api.KindInternal
}

// writeError answers a failed request with its status and api.Error body.
// When the answer has already begun (a stream failed midway) it can only
// be logged; the client sees the stream end.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	log := logctx.From(r.Context())
	// A body cut short is the cause of whatever the handler made of it
	// (a JSON syntax error, a broken tar, a canceled context).
	truncated := bodyTruncated(r)
	if truncated != nil {
		err = truncated
	}
	if started(w) {
		if !errors.Is(err, context.Canceled) {
			log.Warn("stream ended with an error", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		return
	}
	if r.Context().Err() != nil && truncated == nil {
		// The client left: nobody reads the answer. (One that stopped
		// sending in the middle of its body may have only half-closed
		// the connection, and still reads.)
		log.Debug("request abandoned by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	if errors.Is(err, context.Canceled) {
		// The request's own context is live, so what ended was the
		// stream context: the daemon is shutting down.
		err = errdefs.Kindf(errdefs.ErrUnavailable, "the daemon is shutting down: %w", err)
	}
	status, kind := statusOf(err)
	if status == http.StatusInternalServerError {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, api.Error{Kind: kind, Message: err.Error()})
}
