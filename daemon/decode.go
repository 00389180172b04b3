package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// maxJSONBody bounds JSON request bodies.
const maxJSONBody = 1 << 20

// decodeJSON reads the request body, at most maxJSONBody bytes, into v.
// Unknown fields, wrong types, malformed or trailing data and an empty
// body are ErrInvalidArgument with a message naming the field or offset;
// an oversized body is an *http.MaxBytesError (413).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	// One object only: anything but white space after it is a mistake;
	// and the body must end where its Content-Length says.
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the JSON object")
		}
		return decodeError(err)
	}
	return nil
}

// decodeError says what is wrong with a request body.
func decodeError(err error) error {
	var (
		tooBig *http.MaxBytesError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	var truncated *truncatedBodyError
	switch {
	case errors.As(err, &truncated):
		return err
	case errors.As(err, &tooBig):
		return fmt.Errorf("request body larger than %d bytes: %w", tooBig.Limit, err)
	case errors.Is(err, io.EOF):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "empty request body, expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "malformed JSON: unexpected end of the body")
	case errors.As(err, &syntax):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "the body must be a JSON object, not %s", typ.Value)
		}
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field %q: got a JSON %s, want %s", field, typ.Value, jsonTypeName(typ.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no type for this error; its text is
		// `json: unknown field "name"`.
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errdefs.Kindf(errdefs.ErrInvalidArgument, "malformed JSON: %v", err)
}

// jsonTypeName names a Go type as JSON would.
func jsonTypeName(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "a number (" + goType + ")"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.HasPrefix(goType, "*"):
		return jsonTypeName(goType[1:])
	}
	return "an object (" + goType + ")"
}

// query reads typed query parameters, keeping the first error.
type query struct {
	v   url.Values
	err error
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query()} }

func (q *query) fail(name, value, want string) {
	if q.err == nil {
		q.err = errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter %s=%q: want %s", name, value, want)
	}
}

// bool reads "1", "true", "0", "false" (and the like); absent or empty is
// def.
func (q *query) bool(name string, def bool) bool {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(name, s, "a boolean (1, 0, true or false)")
		return def
	}
	return b
}

// has reports whether the parameter is present and not empty.
func (q *query) has(name string) bool { return q.v.Get(name) != "" }

// string returns the parameter, "" when absent.
func (q *query) string(name string) string { return q.v.Get(name) }

// intPtr reads an optional integer.
func (q *query) intPtr(name string) *int {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.fail(name, s, "an integer")
		return nil
	}
	return &n
}

// uint16 reads a required 16-bit unsigned integer (terminal sizes).
func (q *query) uint16(name string) uint16 {
	s := q.v.Get(name)
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		q.fail(name, s, "an integer from 0 to 65535")
		return 0
	}
	return uint16(n)
}

// tail reads "all" (or absent: -1) or a line count.
func (q *query) tail(name string) int {
	s := q.v.Get(name)
	if s == "" || s == "all" {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		q.fail(name, s, `"all" or a number of lines`)
		return -1
	}
	return n
}

// time reads an RFC 3339 time or unix seconds (with an optional
// fraction); absent is the zero time.
func (q *query) time(name string) time.Time {
	s := q.v.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		q.fail(name, s, "an RFC 3339 time or unix seconds")
	}
	return t
}

// parseTime parses an RFC 3339 time or unix seconds such as "1700000000"
// or "1700000000.5".
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return time.Time{}, fmt.Errorf("bad fraction %q", frac)
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
		nsec = f
	}
	return time.Unix(n, nsec).UTC(), nil
}
