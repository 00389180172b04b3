package daemon

import "net/http"

// buildPrune is POST /v1/build/prune: the build cache is forgotten and
// the layers only it kept are freed (the build cache step of system
// prune, alone).
func (s *Server) buildPrune(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.cfg.Images.PruneBuildCache(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
