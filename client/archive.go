package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/container-runtime/container-runtime/api"
)

// ContainerStatPath describes a path of the container (HEAD
// /containers/{id}/archive) without following a final symlink.
func (c *Client) ContainerStatPath(ctx context.Context, id, path string) (api.PathStat, error) {
	q := url.Values{"path": {path}}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead,
		c.base+"/"+api.Version+"/containers/"+seg(id)+"/archive?"+q.Encode(), nil)
	if err != nil {
		return api.PathStat{}, fmt.Errorf("building the request: %w", errInvalid(err))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return api.PathStat{}, ctxErr
		}
		return api.PathStat{}, c.connectError(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// A HEAD answer has no body: the message is in a header.
		msg := resp.Header.Get(api.ErrorHeader)
		if msg == "" {
			msg = fmt.Sprintf("the daemon answered %s", resp.Status)
		}
		return api.PathStat{}, FromAPIError(&api.Error{Kind: statusKind(resp.StatusCode), Message: msg})
	}
	return decodePathStat(resp.Header)
}

// decodePathStat reads the PathStat header.
func decodePathStat(h http.Header) (api.PathStat, error) {
	var st api.PathStat
	raw, err := base64.StdEncoding.DecodeString(h.Get(api.PathStatHeader))
	if err == nil {
		err = json.Unmarshal(raw, &st)
	}
	if err != nil {
		return st, fmt.Errorf("decoding the daemon's %s header: %w", api.PathStatHeader, err)
	}
	return st, nil
}

// CopyFromContainer returns the path of the container as a tar stream
// (GET /containers/{id}/archive) and its PathStat. The caller closes the
// stream.
func (c *Client) CopyFromContainer(ctx context.Context, id, path string) (io.ReadCloser, api.PathStat, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/archive",
		query: url.Values{"path": {path}}})
	if err != nil {
		return nil, api.PathStat{}, err
	}
	st, err := decodePathStat(resp.Header)
	if err != nil {
		resp.Body.Close()
		return nil, api.PathStat{}, err
	}
	return resp.Body, st, nil
}

// CopyToContainer extracts the tar r into the directory path of the
// container (PUT /containers/{id}/archive).
func (c *Client) CopyToContainer(ctx context.Context, id, path string, r io.Reader, opts api.CopyToOptions) error {
	q := url.Values{"path": {path}}
	if opts.CopyUIDGID {
		q.Set("copyUIDGID", "1")
	}
	if opts.NoOverwriteDirNonDir {
		q.Set("noOverwriteDirNonDir", "1")
	}
	return c.call(ctx, request{method: http.MethodPut, path: "/containers/" + seg(id) + "/archive",
		query: q, body: r, contentType: "application/x-tar"}, nil)
}

// ContainerChanges lists the changes of the container's filesystem since
// its image (GET /containers/{id}/changes).
func (c *Client) ContainerChanges(ctx context.Context, id string) ([]api.ContainerChange, error) {
	return callFor[[]api.ContainerChange](ctx, c, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/changes"})
}

// ContainerExport writes the container's filesystem to w as a tar (GET
// /containers/{id}/export).
func (c *Client) ContainerExport(ctx context.Context, id string, w io.Writer) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/containers/" + seg(id) + "/export"})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("exporting container %s: %w", id, err)
	}
	return nil
}

// ContainerCommit makes an image of the container and returns its id (POST
// /containers/{id}/commit).
func (c *Client) ContainerCommit(ctx context.Context, id string, req api.ContainerCommit) (string, error) {
	out, err := callFor[api.IDResponse](ctx, c, request{method: http.MethodPost, path: "/containers/" + seg(id) + "/commit", in: req})
	return out.ID, err
}

// ImageImportWith makes an image from a root filesystem tar with changes
// and a message (POST /images/import), reporting progress to fn (may be
// nil), and returns its id.
func (c *Client) ImageImportWith(ctx context.Context, r io.Reader, opts api.ImageImportOptions, fn func(api.Progress)) (string, error) {
	q := url.Values{}
	if opts.Name != "" {
		q.Set("name", opts.Name)
	}
	for _, ch := range opts.Changes {
		q.Add("changes", ch)
	}
	if opts.Message != "" {
		q.Set("message", opts.Message)
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/import",
		query: q, body: r, contentType: "application/x-tar"})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return readProgress(resp.Body, fn)
}
