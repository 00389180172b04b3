package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/moby/moby/api/types/common"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// errNotModified is the answer 304 that Docker gives to a start of a
// running container and a stop of a stopped one.
var errNotModified = errors.New("not modified")

// errNotSupported is a 501: a feature of Docker's this engine does not
// have at all (docker search), as opposed to a route not yet served (404)
// or an option refused in a request it serves (400).
var errNotSupported = errors.New("not supported")

// errNotSupportedf says what is not supported; the message is the answer.
func errNotSupportedf(msg string) error {
	return notSupportedError(msg)
}

type notSupportedError string

func (e notSupportedError) Error() string { return string(e) }

func (notSupportedError) Is(target error) bool { return target == errNotSupported }

// statusOf maps an error to Docker's status for it.
func statusOf(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errNotModified):
		return http.StatusNotModified
	case errors.Is(err, errNotSupported), errors.Is(err, errdefs.ErrNotImplemented):
		return http.StatusNotImplemented
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errdefs.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, errdefs.ErrInvalidArgument):
		return http.StatusBadRequest
	case errors.Is(err, errdefs.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errdefs.ErrAlreadyExists), errors.Is(err, errdefs.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errdefs.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers a failed request with Docker's {"message": ...} and
// status. An answer already begun (a stream that failed midway) can only
// be logged.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	log := logctx.From(r.Context())
	if began(w) {
		if !errors.Is(err, context.Canceled) {
			log.Warn("docker stream ended with an error", "path", r.URL.Path, "err", err)
		}
		return
	}
	status := statusOf(err)
	if status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	if status == http.StatusInternalServerError {
		log.Error("docker request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, common.ErrorResponse{Message: err.Error()})
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(common.ErrorResponse{Message: fmt.Sprintf("encoding the answer: %v", err)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// notImplemented answers the routes of Docker's API this daemon does not
// serve: 404 naming the route.
func notImplemented(w http.ResponseWriter, r *http.Request) error {
	return errdefs.Kindf(errdefs.ErrNotFound,
		"%s %s is not implemented by container-runtimed's Docker Engine API (see docs/API.md)", r.Method, requestOf(r).path)
}

// noContent answers 204 unless err.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
