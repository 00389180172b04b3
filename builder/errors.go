package builder

import (
	"errors"
	"fmt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Error is a build failure at a line of the Dockerfile. Its text is
// "<dockerfile path>:<line>: <what went wrong>".
type Error struct {
	// File is the Dockerfile's path as given in Options.
	File string
	// Line is the 1-based line of the instruction (its first line when it
	// spans several).
	Line int
	// Err says what went wrong; it wraps an errdefs kind.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns what went wrong.
func (e *Error) Unwrap() error { return e.Err }

// withKind tags err with kind unless it already is of that kind.
func withKind(err, kind error) error { return errdefs.WithKind(err, kind) }

// errorAt returns an *Error at line of file, tagged with kind.
func errorAt(file string, line int, kind error, format string, args ...any) error {
	return &Error{File: file, Line: line, Err: withKind(fmt.Errorf(format, args...), kind)}
}

// wrapAt puts err at line of file unless it already carries a location.
func wrapAt(file string, line int, err error) error {
	var located *Error
	if err == nil || errors.As(err, &located) {
		return err
	}
	return &Error{File: file, Line: line, Err: err}
}
