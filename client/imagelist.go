package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// ImageListWith lists images as Docker's images does with -a and filters
// ({"dangling": {"true"}, "reference": {"busy*"}}).
func (c *Client) ImageListWith(ctx context.Context, opts api.ImageListOptions) ([]api.ImageSummary, error) {
	q := url.Values{}
	if opts.All {
		q.Set("all", "1")
	}
	if len(opts.Filters) > 0 {
		b, err := json.Marshal(opts.Filters)
		if err != nil {
			return nil, err
		}
		q.Set("filters", string(b))
	}
	var v []api.ImageSummary
	err := c.call(ctx, request{method: http.MethodGet, path: "/images", query: q}, &v)
	return v, err
}
