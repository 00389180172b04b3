package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// errInvalidArgument tags client-side validation failures.
var errInvalidArgument = errdefs.ErrInvalidArgument

// errInvalid tags err as an invalid argument, keeping its text.
func errInvalid(err error) error { return errdefs.WithKind(err, errdefs.ErrInvalidArgument) }

// kindSentinel maps an error kind to its errdefs sentinel; internal has none.
var kindSentinel = map[api.ErrorKind]error{
	api.KindNotFound:        errdefs.ErrNotFound,
	api.KindAlreadyExists:   errdefs.ErrAlreadyExists,
	api.KindConflict:        errdefs.ErrConflict,
	api.KindInvalidArgument: errdefs.ErrInvalidArgument,
	api.KindUnavailable:     errdefs.ErrUnavailable,
	api.KindUnauthorized:    errdefs.ErrUnauthorized,
	api.KindNotImplemented:  errdefs.ErrNotImplemented,
}

// statusKind guesses the kind of an answer whose body is not an api.Error.
func statusKind(status int) api.ErrorKind {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed:
		return api.KindInvalidArgument
	case http.StatusNotFound:
		return api.KindNotFound
	case http.StatusConflict:
		return api.KindConflict
	case http.StatusServiceUnavailable:
		return api.KindUnavailable
	case http.StatusUnauthorized:
		return api.KindUnauthorized
	case http.StatusNotImplemented:
		return api.KindNotImplemented
	}
	return api.KindInternal
}

// daemonError is a failure the daemon reported. Its text is the daemon's
// message; it unwraps to the errdefs sentinel of its kind and to the
// *api.Error itself.
type daemonError struct {
	e *api.Error
}

func (d *daemonError) Error() string { return d.e.Message }

func (d *daemonError) Unwrap() []error {
	if s, ok := kindSentinel[d.e.Kind]; ok {
		return []error{s, d.e}
	}
	return []error{d.e}
}

// FromAPIError returns e as an error that matches its kind's errdefs
// sentinel (errors.Is) and whose text is e's message.
func FromAPIError(e *api.Error) error {
	if e == nil {
		return nil
	}
	if e.Message == "" {
		e = &api.Error{Kind: e.Kind, Message: "the daemon reported an error of kind " + string(e.Kind)}
	}
	return &daemonError{e: e}
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// decodeError turns a non-2xx answer into an error, and closes its body.
func decodeError(resp *http.Response) error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		msg := strings.TrimSpace(string(body))
		if msg == "" {
			msg = fmt.Sprintf("the daemon answered %s", resp.Status)
		}
		e = api.Error{Kind: statusKind(resp.StatusCode), Message: msg}
	}
	if e.Kind == "" {
		e.Kind = statusKind(resp.StatusCode)
	}
	return FromAPIError(&e)
}

// connectError explains a failure to reach the daemon. A missing socket or
// a refused connection means the daemon is not running: say how to start it.
func (c *Client) connectError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		return errdefs.Explain(errdefs.ErrUnavailable, fmt.Sprintf("cannot connect to the daemon at %s: it is not running; start it with "+
			"`sudo container-runtimed &` or `systemctl start container-runtimed`", c.host), err)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return errdefs.Explain(errdefs.ErrUnavailable, fmt.Sprintf("permission denied connecting to the daemon at %s: "+
			"run as root or as a member of group container-runtime", c.host), err)
	}
	return fmt.Errorf("cannot connect to the daemon at %s: %w", c.host, err)
}
