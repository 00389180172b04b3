package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// VolumeCreate makes a volume (req.Name empty: a random name), or
// returns the volume of that name when it exists.
func (c *Client) VolumeCreate(ctx context.Context, req api.VolumeCreate) (api.Volume, error) {
	return callFor[api.Volume](ctx, c, request{method: http.MethodPost, path: "/volumes", in: req})
}

// VolumeList lists the volumes by name, with Docker's filters (name,
// label, dangling).
func (c *Client) VolumeList(ctx context.Context, opts api.VolumeListOptions) ([]api.Volume, error) {
	q, err := filterQuery(opts.Filters)
	if err != nil {
		return nil, err
	}
	return callFor[[]api.Volume](ctx, c, request{method: http.MethodGet, path: "/volumes", query: q})
}

// VolumeInspect describes a volume and the containers using it.
func (c *Client) VolumeInspect(ctx context.Context, name string) (api.Volume, error) {
	return callFor[api.Volume](ctx, c, request{method: http.MethodGet, path: "/volumes/" + seg(name)})
}

// VolumeRemove removes a volume; one a container uses is
// errdefs.ErrConflict, with force too; force makes a missing volume no
// error.
func (c *Client) VolumeRemove(ctx context.Context, name string, force bool) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/volumes/" + seg(name), query: flag("force", force)}, nil)
}

// VolumePrune removes the volumes no container uses: the anonymous
// ones, or all with opts.All.
func (c *Client) VolumePrune(ctx context.Context, opts api.VolumePruneOptions) (api.PruneReport, error) {
	q, err := filterQuery(opts.Filters)
	if err != nil {
		return api.PruneReport{}, err
	}
	if opts.All {
		q.Set("all", "1")
	}
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/volumes/prune", query: q})
}

// ContainerRemoveWithVolumes removes a container as ContainerRemove does,
// and its anonymous volumes no other container uses (rm -v).
func (c *Client) ContainerRemoveWithVolumes(ctx context.Context, id string, force bool) error {
	q := flag("force", force)
	if q == nil {
		q = url.Values{}
	}
	q.Set("v", "1")
	return c.call(ctx, request{method: http.MethodDelete, path: "/containers/" + seg(id), query: q}, nil)
}

// filterQuery is the query holding filters (none when empty).
func filterQuery(filters map[string][]string) (url.Values, error) {
	q := url.Values{}
	if len(filters) > 0 {
		b, err := json.Marshal(filters)
		if err != nil {
			return nil, err
		}
		q.Set("filters", string(b))
	}
	return q, nil
}
