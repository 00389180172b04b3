package client

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// NetworkCreate creates a user-defined network (req.Subnet empty: a free
// /24 from the daemon's pools) and describes it.
func (c *Client) NetworkCreate(ctx context.Context, req api.NetworkCreate) (api.Network, error) {
	return callFor[api.Network](ctx, c, request{method: http.MethodPost, path: "/networks", in: req})
}

// NetworkList lists the networks, bridge, host and none included.
func (c *Client) NetworkList(ctx context.Context) ([]api.Network, error) {
	return callFor[[]api.Network](ctx, c, request{method: http.MethodGet, path: "/networks"})
}

// NetworkInspect describes a network (name, id or unique id prefix) and
// the containers attached to it.
func (c *Client) NetworkInspect(ctx context.Context, name string) (api.Network, error) {
	return callFor[api.Network](ctx, c, request{method: http.MethodGet, path: "/networks/" + seg(name)})
}

// NetworkRemove removes a user-defined network; one with containers
// attached is errdefs.ErrConflict.
func (c *Client) NetworkRemove(ctx context.Context, name string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/networks/" + seg(name)}, nil)
}
