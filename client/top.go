package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// ContainerTop lists the container's processes: ps -ef's columns, or
// those of the host's ps run with psArgs ("aux", "-o pid,comm").
func (c *Client) ContainerTop(ctx context.Context, id, psArgs string) (api.ContainerTop, error) {
	var q url.Values
	if psArgs != "" {
		q = url.Values{"ps_args": {psArgs}}
	}
	return callFor[api.ContainerTop](ctx, c, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/top", query: q})
}
