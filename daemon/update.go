package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// containerUpdate is POST /v1/containers/{id}/update with an
// api.ContainerUpdate body; it answers api.ContainerUpdated.
func (s *Server) containerUpdate(w http.ResponseWriter, r *http.Request) error {
	var req api.ContainerUpdate
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.cfg.Containers.Update(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
