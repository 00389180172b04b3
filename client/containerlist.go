package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/container-runtime/container-runtime/api"
)

// ContainerListWith lists containers as ps does with Docker's options:
// all, the newest Limit, sizes, and filters ({"status": {"exited"}}).
func (c *Client) ContainerListWith(ctx context.Context, opts api.ContainerListOptions) ([]api.ContainerSummary, error) {
	q := url.Values{}
	if opts.All {
		q.Set("all", "1")
	}
	if opts.Limit != 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.Size {
		q.Set("size", "1")
	}
	if len(opts.Filters) > 0 {
		b, err := json.Marshal(opts.Filters)
		if err != nil {
			return nil, err
		}
		q.Set("filters", string(b))
	}
	return callFor[[]api.ContainerSummary](ctx, c, request{method: http.MethodGet, path: "/containers", query: q})
}
