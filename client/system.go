package client

import (
	"context"
	"net/http"

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

// SystemPrune removes stopped containers, dangling images, unused layers
// and the build cache.
func (c *Client) SystemPrune(ctx context.Context) (api.PruneReport, error) {
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/system/prune"})
}
