package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/errdefs"
)

// containerRename is POST /v1/containers/{id}/rename?name=NEW.
func (s *Server) containerRename(w http.ResponseWriter, r *http.Request) error {
	name := newQuery(r).string("name")
	if name == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter name: the new name is required")
	}
	return noContent(w, s.cfg.Containers.Rename(r.Context(), r.PathValue("id"), name))
}
