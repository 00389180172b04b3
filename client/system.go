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
	var v api.VersionInfo
	err := c.call(ctx, request{method: http.MethodGet, path: "/version"}, &v)
	return v, err
}

// Info returns counts and facts about the daemon and its host.
func (c *Client) Info(ctx context.Context) (api.Info, error) {
	var v api.Info
	err := c.call(ctx, request{method: http.MethodGet, path: "/info"}, &v)
	return v, err
}

// DiskUsage returns the space used by images, layers, containers, logs
// and the build cache.
func (c *Client) DiskUsage(ctx context.Context) (api.DiskUsage, error) {
	var v api.DiskUsage
	err := c.call(ctx, request{method: http.MethodGet, path: "/system/df"}, &v)
	return v, err
}

// SystemPrune removes stopped containers, dangling images, unused layers
// and the build cache.
func (c *Client) SystemPrune(ctx context.Context) (api.PruneReport, error) {
	var v api.PruneReport
	err := c.call(ctx, request{method: http.MethodPost, path: "/system/prune"}, &v)
	return v, err
}
