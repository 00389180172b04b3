package api

// ErrorKind names the kind of a failure; the HTTP status follows from it.
type ErrorKind string

// The kinds of error, one per errdefs sentinel.
const (
	KindNotFound        ErrorKind = "not_found"        // 404
	KindAlreadyExists   ErrorKind = "already_exists"   // 409
	KindConflict        ErrorKind = "conflict"         // 409
	KindInvalidArgument ErrorKind = "invalid_argument" // 400
	KindUnavailable     ErrorKind = "unavailable"      // 503
	KindUnauthorized    ErrorKind = "unauthorized"     // 401
	KindNotImplemented  ErrorKind = "not_implemented"  // 501
	KindInternal        ErrorKind = "internal"         // 500
)

// Error is the body of every non-2xx answer, and the last line of a
// stream that failed.
type Error struct {
	Kind    ErrorKind `json:"kind"`
	Message string    `json:"message"`
}

func (e *Error) Error() string { return e.Message }
