package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// imageList is GET /v1/images: all and filters (as the container list's).
func (s *Server) imageList(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.ImageListOptions{All: q.bool("all", false)}
	filters, err := q.filters()
	if err != nil {
		return err
	}
	opts.Filters = filters
	list, err := s.cfg.Images.ListFiltered(r.Context(), opts)
	return answerList(w, list, err)
}
