package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// Images lists the images.
func (c *Client) Images(ctx context.Context) ([]api.ImageSummary, error) {
	return callFor[[]api.ImageSummary](ctx, c, request{method: http.MethodGet, path: "/images"})
}

// ImageInspect describes the image ref (name, id or unique id prefix).
func (c *Client) ImageInspect(ctx context.Context, ref string) (api.ImageInspect, error) {
	return callFor[api.ImageInspect](ctx, c, request{method: http.MethodGet, path: "/images/" + seg(ref)})
}

// ImageHistory returns how the image ref was made, newest first.
func (c *Client) ImageHistory(ctx context.Context, ref string) ([]api.HistoryEntry, error) {
	return callFor[[]api.HistoryEntry](ctx, c, request{method: http.MethodGet, path: "/images/" + seg(ref) + "/history"})
}

// ImageTag gives the image ref the name name ("name" or "name:tag").
func (c *Client) ImageTag(ctx context.Context, ref, name string) error {
	return c.call(ctx, request{method: http.MethodPost, path: "/images/" + seg(ref) + "/tag",
		in: api.TagRequest{Name: name}}, nil)
}

// ImageRemove untags the image ref, and deletes it when no name is left.
// It fails with errdefs.ErrConflict when a container uses the image,
// unless force. It returns what was untagged and deleted.
func (c *Client) ImageRemove(ctx context.Context, ref string, force bool) ([]string, error) {
	return callFor[[]string](ctx, c, request{method: http.MethodDelete, path: "/images/" + seg(ref), query: flag("force", force)})
}

// ImagePrune removes dangling images, or every unused image when all.
func (c *Client) ImagePrune(ctx context.Context, all bool) (api.PruneReport, error) {
	return callFor[api.PruneReport](ctx, c, request{method: http.MethodPost, path: "/images/prune", query: flag("all", all)})
}

// ImageImport makes the image name (none when empty: a dangling image)
// from a root filesystem tar (optionally compressed) read from r,
// reporting progress to fn (may be nil). It returns the new image's id.
func (c *Client) ImageImport(ctx context.Context, name string, r io.Reader, fn func(api.Progress)) (string, error) {
	var q url.Values
	if name != "" {
		q = url.Values{"name": {name}}
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/import",
		query: q, body: r, contentType: "application/x-tar"})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return readProgress(resp.Body, fn)
}

// ImageExport writes the flattened root filesystem of the image ref to w
// as a tar.
func (c *Client) ImageExport(ctx context.Context, ref string, w io.Writer) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/images/" + seg(ref) + "/export"})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("exporting image %s: %w", ref, err)
	}
	return nil
}

// Bootstrap makes a Debian image with debootstrap (the seed's base),
// reporting progress to fn (may be nil), and returns its id.
func (c *Client) Bootstrap(ctx context.Context, req api.BootstrapRequest, fn func(api.Progress)) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/bootstrap", in: req})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return readProgress(resp.Body, fn)
}

// Build builds an image from a Dockerfile on the daemon's machine,
// reporting progress to fn (may be nil), and returns the image's id.
// req's paths must be absolute: the daemon does not share our working
// directory.
func (c *Client) Build(ctx context.Context, req api.BuildRequest, fn func(api.Progress)) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/build", in: req})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return readProgress(resp.Body, fn)
}

// flag returns the query name=1 when set, and no query otherwise.
func flag(name string, set bool) url.Values {
	if !set {
		return nil
	}
	return url.Values{name: {"1"}}
}
