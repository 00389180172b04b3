package daemon

import (
	"encoding/json"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// containerList is GET /v1/containers: all, limit, size and filters (a
// JSON object of filter keys to lists of values, as Docker's).
func (s *Server) containerList(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.ContainerListOptions{All: q.bool("all", false), Size: q.bool("size", false)}
	if p := q.intPtr("limit"); p != nil {
		opts.Limit = *p
	}
	filters, err := q.filters()
	if err != nil {
		return err
	}
	opts.Filters = filters
	list, err := s.cfg.Containers.ListFiltered(r.Context(), opts)
	return answerList(w, list, err)
}

// filters returns the filters parameter, once the parameters read before
// it are known to be valid.
func (q *query) filters() (map[string][]string, error) {
	if q.err != nil {
		return nil, q.err
	}
	return decodeFilters(q.string("filters"))
}

// answerList answers a listing (or its error): a JSON array, [] rather
// than null when it is empty, as Docker's.
func answerList[T any](w http.ResponseWriter, list []T, err error) error {
	if err != nil {
		return err
	}
	if list == nil {
		list = []T{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// decodeFilters reads a filters parameter: {"key":["v1","v2"]}, or
// Docker's older {"key":{"v1":true}}.
func decodeFilters(s string) (map[string][]string, error) {
	if s == "" {
		return nil, nil
	}
	var lists map[string][]string
	if err := json.Unmarshal([]byte(s), &lists); err == nil {
		return lists, nil
	}
	var sets map[string]map[string]bool
	if err := json.Unmarshal([]byte(s), &sets); err != nil {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter filters=%q: want a JSON object of filter names to lists of values", s)
	}
	lists = map[string][]string{}
	for k, set := range sets {
		for v, on := range set {
			if on {
				lists[k] = append(lists[k], v)
			}
		}
	}
	return lists, nil
}
