package docker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// maxJSONBody bounds JSON request bodies, as our own API's.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON body into v. Unknown fields are allowed (a newer
// client sends fields an older server ignores, as with Docker); wrong
// types and malformed JSON are a 400 naming the field or the offset. An
// empty body leaves v as it is when empty is true.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) error {
	body := http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) && emptyOK {
			return nil
		}
		return decodeError(err)
	}
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
	switch {
	case errors.As(err, &tooBig):
		return fmt.Errorf("request body larger than %d bytes: %w", tooBig.Limit, err)
	case errors.Is(err, io.EOF):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "empty request body, expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "malformed JSON: unexpected end of the body")
	case errors.As(err, &syntax):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "the body must be a JSON object, not %s", typ.Value)
		}
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field %q: got a JSON %s, want %s", typ.Field, typ.Value, typ.Type)
	}
	// Text unmarshalers (ports, addresses) fail with their own errors.
	return errdefs.Kindf(errdefs.ErrInvalidArgument, "invalid JSON: %v", err)
}

// query reads Docker's query parameters; the first bad one is kept in err.
type query struct {
	v   url.Values
	err error
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query()} }

func (q *query) has(k string) bool { return q.v.Has(k) }

func (q *query) string(k string) string { return q.v.Get(k) }

// bool is Docker's boolean: "", "0", "false", "no" (any case) are false,
// anything else is true.
func (q *query) bool(k string) bool {
	switch strings.ToLower(q.v.Get(k)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func (q *query) int(k string, def int) int {
	s := q.v.Get(k)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil && q.err == nil {
		q.err = errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter %s=%q: not a number", k, s)
	}
	return n
}

// filters decodes Docker's filters parameter: {"key":{"value":true}} (the
// current form) or {"key":["value"]} (the form of old clients).
func (q *query) filters() map[string][]string {
	s := q.v.Get("filters")
	if s == "" {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		if q.err == nil {
			q.err = errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter filters: invalid filter %q: %v", s, err)
		}
		return nil
	}
	out := map[string][]string{}
	for k, v := range raw {
		var set map[string]bool
		if json.Unmarshal(v, &set) == nil {
			for val, on := range set {
				if on {
					out[k] = append(out[k], val)
				}
			}
			continue
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			if q.err == nil {
				q.err = errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter filters: key %q: want an object of values or a list", k)
			}
			return nil
		}
		out[k] = append(out[k], list...)
	}
	return out
}
