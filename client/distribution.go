package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// ImagePull fetches req.Ref from its registry into the daemon's store,
// reporting per-layer progress to fn (may be nil), and returns the
// image's id. Wrong credentials fail with errdefs.ErrUnauthorized.
func (c *Client) ImagePull(ctx context.Context, req api.PullRequest, fn func(api.Progress)) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/pull", in: req})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return readProgress(resp.Body, fn)
}

// ImagePush uploads the image named ref (name:tag, which says where) to
// its registry, reporting progress to fn (may be nil), and returns the
// manifest's digest.
func (c *Client) ImagePush(ctx context.Context, ref string, req api.PushRequest, fn func(api.Progress)) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/" + seg(ref) + "/push", in: req})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	digest := ""
	_, err = readProgress(resp.Body, func(p api.Progress) {
		if p.Digest != "" {
			digest = p.Digest
		}
		if fn != nil {
			fn(p)
		}
	})
	if err == nil && digest == "" {
		err = fmt.Errorf("pushing %s: the daemon's answer carries no manifest digest", ref)
	}
	return digest, err
}

// ImageSave writes the images refs name (names or ids) to w as a tar
// archive in format (api.SaveFormatDocker when empty, or
// api.SaveFormatOCI).
func (c *Client) ImageSave(ctx context.Context, refs []string, format string, w io.Writer) error {
	q := url.Values{"names": refs}
	if format != "" {
		q.Set("format", format)
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/images/save", query: q})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("saving %s: %w", strings.Join(refs, ", "), err)
	}
	return nil
}

// ImageLoad registers the images of a docker-archive or OCI layout tar
// (optionally compressed) read from r, reporting progress to fn (may be
// nil), and returns their names (ids for unnamed ones).
func (c *Client) ImageLoad(ctx context.Context, r io.Reader, fn func(api.Progress)) ([]string, error) {
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/images/load",
		body: r, contentType: "application/x-tar"})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var loaded []string
	_, err = readProgress(resp.Body, func(p api.Progress) {
		if p.Loaded != nil {
			loaded = p.Loaded
		}
		if fn != nil {
			fn(p)
		}
	})
	return loaded, err
}

// Login has the daemon check the credentials with the registry and store
// them for its later pulls and pushes. Wrong ones fail with
// errdefs.ErrUnauthorized.
func (c *Client) Login(ctx context.Context, req api.LoginRequest) (api.LoginResult, error) {
	return callFor[api.LoginResult](ctx, c, request{method: http.MethodPost, path: "/auth/login", in: req})
}

// Logout has the daemon forget a registry's credentials (empty: Docker
// Hub); errdefs.ErrNotFound when it had none.
func (c *Client) Logout(ctx context.Context, registry string) error {
	return c.call(ctx, request{method: http.MethodPost, path: "/auth/logout", in: api.LogoutRequest{Registry: registry}}, nil)
}
