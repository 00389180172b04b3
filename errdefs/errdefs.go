// Package errdefs holds the kinds of error shared by every layer of the
// engine. A failure is tagged with one of these sentinels where it happens
// (wrapped with %w), converted to an HTTP status once in daemon/, and back
// to the same sentinel in client/, so callers can test it with errors.Is.
package errdefs

import "errors"

var (
	// ErrNotFound: the named object does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: an object with that name or id exists already.
	ErrAlreadyExists = errors.New("already exists")
	// ErrInvalidArgument: the request or input is malformed or out of range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrConflict: the object is in a state that does not allow the operation.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: a needed service or tool is not there.
	ErrUnavailable = errors.New("unavailable")
	// ErrUnauthorized: a registry refused the credentials given (or
	// their absence). It may come together with ErrInvalidArgument;
	// ErrUnauthorized is the more specific kind.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotImplemented: the engine does not have what was asked for
	// (reading the log of a container whose log driver keeps none), as
	// opposed to a malformed request (ErrInvalidArgument).
	ErrNotImplemented = errors.New("not implemented")
)
