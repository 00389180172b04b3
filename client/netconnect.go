package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// NetworkConnect connects a container to one more network (network
// connect): at once if it runs, and at every start.
func (c *Client) NetworkConnect(ctx context.Context, network string, req api.NetworkConnect) error {
	return c.call(ctx, request{method: http.MethodPost, path: "/networks/" + seg(network) + "/connect", in: req}, nil)
}

// NetworkDisconnect takes a network that NetworkConnect gave a container
// away.
func (c *Client) NetworkDisconnect(ctx context.Context, network string, req api.NetworkDisconnect) error {
	return c.call(ctx, request{method: http.MethodPost, path: "/networks/" + seg(network) + "/disconnect", in: req}, nil)
}

// NetworkPrune removes the user-defined networks no container uses,
// among those the filters (until, label, label!) select.
func (c *Client) NetworkPrune(ctx context.Context, filters map[string][]string) (api.NetworkPruneReport, error) {
	q := url.Values{}
	if len(filters) > 0 {
		b, err := json.Marshal(filters)
		if err != nil {
			return api.NetworkPruneReport{}, fmt.Errorf("encoding the filters: %w", err)
		}
		q.Set("filters", string(b))
	}
	return callFor[api.NetworkPruneReport](ctx, c, request{method: http.MethodPost, path: "/networks/prune", query: q})
}
