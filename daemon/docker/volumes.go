package docker

import (
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"

	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/volume"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// The volume routes (docker volume create, ls, inspect, rm, prune) over
// daemon.VolumeService: the local driver only.

func (h *Handler) volumes() (daemon.VolumeService, error) {
	if h.cfg.Volumes == nil {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon keeps no volumes")
	}
	return h.cfg.Volumes, nil
}

// volumeOf is one of our volumes in Docker's shape.
func volumeOf(v api.Volume) volume.Volume {
	out := volume.Volume{
		Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Scope: v.Scope,
		Labels: v.Labels, Options: v.Options, CreatedAt: dockerTime(v.CreatedAt),
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	if out.Options == nil {
		out.Options = map[string]string{}
	}
	if out.Scope == "" {
		out.Scope = "local"
	}
	if out.Driver == "" {
		out.Driver = "local"
	}
	return out
}

// volumeCreate is POST /volumes/create: 201 with the volume (a taken name
// answers that volume, as Docker).
func (h *Handler) volumeCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.volumes()
	if err != nil {
		return err
	}
	var req volume.CreateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	if req.ClusterVolumeSpec != nil {
		return unsupported("ClusterVolumeSpec", "a cluster (swarm) volume")
	}
	v, err := svc.Create(r.Context(), api.VolumeCreate{Name: req.Name, Driver: req.Driver, DriverOpts: req.DriverOpts, Labels: req.Labels})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, volumeOf(v))
}

// volumeList is GET /volumes?filters= (name, label, dangling; driver
// local is every volume).
func (h *Handler) volumeList(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.volumes()
	if err != nil {
		return err
	}
	q := newQuery(r)
	filters := q.filters()
	if q.err != nil {
		return q.err
	}
	if drivers, ok := filters["driver"]; ok {
		delete(filters, "driver")
		if !slices.Contains(drivers, "local") {
			return writeJSON(w, http.StatusOK, volume.ListResponse{Volumes: []volume.Volume{}, Warnings: []string{}})
		}
	}
	list, err := svc.List(r.Context(), api.VolumeListOptions{Filters: filters})
	if err != nil {
		return err
	}
	out := volume.ListResponse{Volumes: make([]volume.Volume, 0, len(list)), Warnings: []string{}}
	for _, v := range list {
		out.Volumes = append(out.Volumes, volumeOf(v))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) volumeInspect(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.volumes()
	if err != nil {
		return err
	}
	v, err := svc.Inspect(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, volumeOf(v))
}

// volumeRemove is DELETE /volumes/{name}?force=: 409 while a container
// uses it.
func (h *Handler) volumeRemove(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.volumes()
	if err != nil {
		return err
	}
	return noContent(w, svc.Remove(r.Context(), r.PathValue("name"), newQuery(r).bool("force")))
}

// volumePrune is POST /volumes/prune?filters=: the unused anonymous
// volumes, or every unused volume with the filter all=true; clients older
// than API 1.42 (Docker 23) meant every unused volume, as Docker's daemon
// still answers them.
func (h *Handler) volumePrune(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.volumes()
	if err != nil {
		return err
	}
	q := newQuery(r)
	filters := q.filters()
	if q.err != nil {
		return q.err
	}
	all := compareVersions(requestOf(r).version, "1.42") < 0
	if vals, ok := filters["all"]; ok {
		delete(filters, "all")
		all = slices.ContainsFunc(vals, func(v string) bool { return v == "true" || v == "1" })
	}
	rep, err := svc.Prune(r.Context(), api.VolumePruneOptions{All: all, Filters: filters})
	if err != nil {
		return err
	}
	deleted := rep.Deleted
	if deleted == nil {
		deleted = []string{}
	}
	return writeJSON(w, http.StatusOK, volume.PruneReport{VolumesDeleted: deleted, SpaceReclaimed: uint64(max(rep.SpaceReclaimed, 0))})
}

// volumeMount maps a Mounts entry of type volume: Source is the volume's
// name (empty: a new anonymous volume). Labels, a subpath and a driver
// other than local are refused.
func volumeMount(field string, m mount.Mount) (api.Mount, error) {
	out := api.Mount{Type: "volume", Source: m.Source, Destination: m.Target, ReadOnly: m.ReadOnly}
	if o := m.VolumeOptions; o != nil {
		switch {
		case len(o.Labels) > 0:
			return api.Mount{}, unsupported(field+".VolumeOptions.Labels", "labels on a volume made by a mount (create it first with docker volume create)")
		case o.Subpath != "":
			return api.Mount{}, unsupported(field+".VolumeOptions.Subpath", "mounting a volume's subpath")
		case o.DriverConfig != nil && o.DriverConfig.Name != "" && o.DriverConfig.Name != "local":
			return api.Mount{}, unsupported(field+".VolumeOptions.DriverConfig", fmt.Sprintf("volume driver %q", o.DriverConfig.Name))
		case o.DriverConfig != nil && len(o.DriverConfig.Options) > 0:
			return api.Mount{}, unsupported(field+".VolumeOptions.DriverConfig.Options", "a volume driver option")
		}
		if o.NoCopy {
			out.Options = append(out.Options, "nocopy")
		}
	}
	if m.BindOptions != nil || m.TmpfsOptions != nil {
		return api.Mount{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "%s: bind or tmpfs options on a volume mount", field)
	}
	return out, nil
}

// anonymousVolumes are Config.Volumes (a Dockerfile's or Compose's
// anonymous volumes) as new anonymous volume mounts, except where another
// mount already covers the destination, as Docker does.
func anonymousVolumes(dests map[string]struct{}, mounts []api.Mount) []api.Mount {
	var out []api.Mount
	for _, d := range slices.Sorted(maps.Keys(dests)) {
		clean := path.Clean(d)
		if slices.ContainsFunc(mounts, func(m api.Mount) bool { return path.Clean(m.Destination) == clean }) {
			continue
		}
		out = append(out, api.Mount{Type: "volume", Destination: d})
	}
	return out
}

// volumeUsage lists the volumes for system df with their UsageData: the
// size of each one's content (-1 for one that could not be measured, as
// Docker's) and how many containers use it.
func (h *Handler) volumeUsage(r *http.Request) ([]volume.Volume, error) {
	if h.cfg.Volumes == nil {
		return []volume.Volume{}, nil
	}
	list, err := h.cfg.Volumes.List(r.Context(), api.VolumeListOptions{})
	if err != nil {
		return nil, err
	}
	usage, err := h.cfg.Volumes.DiskUsage(r.Context())
	if err != nil {
		return nil, err
	}
	byName := make(map[string]api.VolumeUsage, len(usage))
	for _, u := range usage {
		byName[u.Name] = u
	}
	out := make([]volume.Volume, 0, len(list))
	for _, v := range list {
		dv := volumeOf(v)
		// A volume made between the two calls has not been measured.
		u, ok := byName[v.Name]
		if !ok {
			u = api.VolumeUsage{Size: -1, RefCount: len(v.UsedBy)}
		}
		dv.UsageData = &volume.UsageData{Size: u.Size, RefCount: int64(u.RefCount)}
		out = append(out, dv)
	}
	return out, nil
}
