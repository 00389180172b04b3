package client

import (
	"context"
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// BuildPrune forgets the build cache and frees the layers only it kept;
// Deleted names those layers.
func (c *Client) BuildPrune(ctx context.Context) (api.PruneReport, error) {
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/build/prune"})
}
