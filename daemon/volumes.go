package daemon

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// VolumeService is what the volume routes call; cmd/container-runtimed's
// volumeService implements it over volume.Store. {name} is a volume's
// full name.
type VolumeService interface {
	// Create makes a volume (a taken name returns that volume); 400 for
	// a bad name, a driver other than local or a driver option.
	Create(ctx context.Context, req api.VolumeCreate) (api.Volume, error)
	// List lists the volumes by name, filtered by name, label and
	// dangling; an unknown filter is ErrInvalidArgument.
	List(ctx context.Context, opts api.VolumeListOptions) ([]api.Volume, error)
	Inspect(ctx context.Context, name string) (api.Volume, error)
	// Remove removes a volume: 409 naming the containers while any
	// uses it, even with force; force makes a missing volume no error.
	Remove(ctx context.Context, name string, force bool) error
	// Prune removes the volumes no container uses: the anonymous ones,
	// or every one with opts.All.
	Prune(ctx context.Context, opts api.VolumePruneOptions) (api.PruneReport, error)
	// DiskUsage is what each volume's content takes (system df), by
	// name: a volume that cannot be measured has Size -1, the others
	// are still measured.
	DiskUsage(ctx context.Context) ([]api.VolumeUsage, error)
}

// volumes returns the volume service, or ErrUnavailable when the daemon
// runs without one.
func (s *Server) volumeService() (VolumeService, error) {
	if s.cfg.Volumes == nil {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon keeps no volumes")
	}
	return s.cfg.Volumes, nil
}

// volumeRoutes adds the routes of /v1/volumes.
func (s *Server) volumeRoutes(handle func(string, errHandler)) {
	handle("POST /v1/volumes", s.volumeCreate)
	handle("GET /v1/volumes", s.volumeList)
	handle("POST /v1/volumes/prune", s.volumePrune)
	handle("GET /v1/volumes/{name}", s.volumeInspect)
	handle("DELETE /v1/volumes/{name}", s.volumeRemove)
}

func (s *Server) volumeCreate(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.volumeService()
	if err != nil {
		return err
	}
	var req api.VolumeCreate
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := vs.Create(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) volumeList(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.volumeService()
	if err != nil {
		return err
	}
	filters, err := newQuery(r).filters()
	if err != nil {
		return err
	}
	list, err := vs.List(r.Context(), api.VolumeListOptions{Filters: filters})
	return answerList(w, list, err)
}

func (s *Server) volumeInspect(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.volumeService()
	if err != nil {
		return err
	}
	v, err := vs.Inspect(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) volumeRemove(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.volumeService()
	if err != nil {
		return err
	}
	q := newQuery(r)
	force := q.bool("force", false)
	if q.err != nil {
		return q.err
	}
	return noContent(w, vs.Remove(r.Context(), r.PathValue("name"), force))
}

func (s *Server) volumePrune(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.volumeService()
	if err != nil {
		return err
	}
	q := newQuery(r)
	all := q.bool("all", false)
	filters, err := q.filters()
	if err != nil {
		return err
	}
	rep, err := vs.Prune(r.Context(), api.VolumePruneOptions{All: all, Filters: filters})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
