package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// networks returns the network service, or ErrUnavailable when the
// daemon runs without one.
func (s *Server) networks() (NetworkService, error) {
	if s.cfg.Networks == nil {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon manages no networks")
	}
	return s.cfg.Networks, nil
}

func (s *Server) networkCreate(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	var req api.NetworkCreate
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"name\" is required")
	}
	n, err := ns.Create(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

func (s *Server) networkList(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	list, err := ns.List(r.Context())
	return answerList(w, list, err)
}

func (s *Server) networkInspect(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	n, err := ns.Inspect(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (s *Server) networkRemove(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	return noContent(w, ns.Remove(r.Context(), r.PathValue("name")))
}
