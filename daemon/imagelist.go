package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// imageList is GET /v1/images: all and filters (as the container list's).
func (s *Server) imageList(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.ImageListOptions{All: q.bool("all", false)}
	if q.err != nil {
		return q.err
	}
	filters, err := decodeFilters(q.string("filters"))
	if err != nil {
		return err
	}
	opts.Filters = filters
	list, err := s.cfg.Images.ListFiltered(r.Context(), opts)
	if err != nil {
		return err
	}
	if list == nil {
		list = []api.ImageSummary{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
