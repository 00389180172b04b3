package daemon

import "net/http"

// containerTop is GET /v1/containers/{id}/top?ps_args=ARGS.
func (s *Server) containerTop(w http.ResponseWriter, r *http.Request) error {
	top, err := s.cfg.Containers.Top(r.Context(), r.PathValue("id"), newQuery(r).string("ps_args"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, top)
	return nil
}
