package errdefs

import (
	"errors"
	"fmt"
)

// kindError is a message that matches an error kind and its causes with
// errors.Is and errors.As, without spelling the kind out: the text a user
// reads is only the message. fmt.Errorf("%w: ...", kind) would prefix
// "invalid argument: " to every such error.
type kindError struct {
	msg  string
	errs []error
}

func (e *kindError) Error() string   { return e.msg }
func (e *kindError) Unwrap() []error { return e.errs }

// WithKind tags err with kind (one of this package's sentinels) and keeps
// its text: afterwards errors.Is(err, kind) holds, and err's own chain is
// still reachable. It returns err unchanged when it is nil or already of
// that kind.
func WithKind(err, kind error) error {
	if err == nil || errors.Is(err, kind) {
		return err
	}
	return &kindError{msg: err.Error(), errs: []error{err, kind}}
}

// Kindf formats an error as fmt.Errorf does (%w wraps) and tags it with
// kind, whose text it does not add.
func Kindf(kind error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &kindError{msg: err.Error(), errs: []error{err, kind}}
}

// Explain returns an error of kind whose text is msg alone, for when msg
// already says what causes would (how to start the daemon rather than
// "connection refused"); errors.Is and errors.As still reach each cause.
func Explain(kind error, msg string, causes ...error) error {
	return &kindError{msg: msg, errs: append([]error{kind}, causes...)}
}
