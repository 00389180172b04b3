package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// Ping checks that the daemon answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, request{method: http.MethodGet, path: "/_ping"}, nil)
}

// Version returns the daemon's version.
func (c *Client) Version(ctx context.Context) (api.VersionInfo, error) {
	return callFor[api.VersionInfo](ctx, c, request{method: http.MethodGet, path: "/version"})
}

// Info returns counts and facts about the daemon and its host.
func (c *Client) Info(ctx context.Context) (api.Info, error) {
	return callFor[api.Info](ctx, c, request{method: http.MethodGet, path: "/info"})
}

// DiskUsage returns the space used by images, layers, containers, logs
// and the build cache.
func (c *Client) DiskUsage(ctx context.Context) (api.DiskUsage, error) {
	return callFor[api.DiskUsage](ctx, c, request{method: http.MethodGet, path: "/system/df"})
}

// SystemPrune removes stopped containers, unused networks, the build
// cache, and dangling images with the layers left unreferenced; with all,
// every unused image; with volumes, the anonymous volumes no container
// uses.
func (c *Client) SystemPrune(ctx context.Context, all, volumes bool) (api.PruneReport, error) {
	q := url.Values{}
	if all {
		q.Set("all", "1")
	}
	if volumes {
		q.Set("volumes", "1")
	}
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/system/prune", query: q})
}
