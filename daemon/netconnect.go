package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// networkConnect is POST /v1/networks/{name}/connect.
func (s *Server) networkConnect(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	var req api.NetworkConnect
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"container\" is required")
	}
	return noContent(w, ns.Connect(r.Context(), r.PathValue("name"), req))
}

// networkDisconnect is POST /v1/networks/{name}/disconnect.
func (s *Server) networkDisconnect(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	var req api.NetworkDisconnect
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "field \"container\" is required")
	}
	return noContent(w, ns.Disconnect(r.Context(), r.PathValue("name"), req))
}

// networkPrune is POST /v1/networks/prune?filters=...
func (s *Server) networkPrune(w http.ResponseWriter, r *http.Request) error {
	ns, err := s.networks()
	if err != nil {
		return err
	}
	filters, err := newQuery(r).filters()
	if err != nil {
		return err
	}
	rep, err := ns.Prune(r.Context(), filters)
	if err != nil {
		return err
	}
	if rep.NetworksDeleted == nil {
		rep.NetworksDeleted = []string{}
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
