package distribution

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Media types of manifests and indexes, OCI and Docker.
const (
	mediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeDockerSchema1  = "application/vnd.docker.distribution.manifest.v1+json"
	mediaTypeDockerSchema1S = "application/vnd.docker.distribution.manifest.v1+prettyjws"
	mediaTypeDockerConfig   = "application/vnd.docker.container.image.v1+json"
)

// manifestAccept is the Accept header of manifest requests: everything we
// can read.
var manifestAccept = strings.Join([]string{
	ocispec.MediaTypeImageIndex, ocispec.MediaTypeImageManifest,
	mediaTypeDockerList, mediaTypeDockerManifest,
}, ", ")

// repo reads manifests and blobs of one repository of a registry, through
// an authenticated client.
type repo struct {
	client *http.Client
	host   string // registry host[:port]
	path   string // repository path, "library/debian"
	limits Limits
}

func (r *repo) url(kind, ref string) string {
	// The scheme is rewritten by the transport to what the ping found.
	return "https://" + r.host + "/v2/" + r.path + "/" + kind + "/" + ref
}

// get sends a GET and returns the response if its status is 200 (or 206
// when ranged).
func (r *repo) get(ctx context.Context, url string, header http.Header, doing string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, registryError(r.host, doing+" from", err)
	}
	if err := transport.CheckError(resp, http.StatusOK, http.StatusPartialContent); err != nil {
		resp.Body.Close()
		return nil, registryError(r.host, doing+" from", err)
	}
	return resp, nil
}

// manifest fetches a manifest or index by tag or digest. The body is
// capped at MaxManifestSize and its digest checked: against the reference
// when it is a digest, against Docker-Content-Digest otherwise (when the
// registry sends one).
func (r *repo) manifest(ctx context.Context, ref string) (raw []byte, mediaType string, dgst digest.Digest, err error) {
	doing := "fetching manifest " + r.path + ":" + ref
	if strings.Contains(ref, ":") {
		doing = "fetching manifest " + r.path + "@" + ref
	}
	resp, err := r.get(ctx, r.url("manifests", ref), http.Header{"Accept": {manifestAccept}}, doing)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	raw, err = readCapped(resp.Body, resp.ContentLength, r.limits.MaxManifestSize, "manifest")
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: %w", doing, err)
	}
	want := digest.Digest(ref)
	if want.Validate() != nil {
		want = digest.Digest(resp.Header.Get("Docker-Content-Digest"))
		if want.Validate() != nil {
			want = ""
		}
	}
	dgst = digest.FromBytes(raw)
	if want != "" {
		if got := want.Algorithm().FromBytes(raw); got != want {
			return nil, "", "", fmt.Errorf("%s: %w: the manifest's digest is %s, not %s", doing, errdefs.ErrInvalidArgument, got, want)
		}
		dgst = want
	}
	var probe struct {
		MediaType     string `json:"mediaType"`
		SchemaVersion int    `json:"schemaVersion"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, "", "", fmt.Errorf("%s: %w: decoding: %w", doing, errdefs.ErrInvalidArgument, err)
	}
	mediaType = probe.MediaType
	if mediaType == "" {
		mediaType, _, _ = strings.Cut(resp.Header.Get("Content-Type"), ";")
	}
	if probe.SchemaVersion == 1 || mediaType == mediaTypeDockerSchema1 || mediaType == mediaTypeDockerSchema1S {
		return nil, "", "", fmt.Errorf("%s: %w: Docker schema 1 manifests are not supported (push the image again with a current tool)", doing, errdefs.ErrInvalidArgument)
	}
	return raw, mediaType, dgst, nil
}

// blobBytes fetches a small blob (a config, or a manifest by descriptor)
// whole, checking its size against max and the descriptor, and its digest.
func (r *repo) blobBytes(ctx context.Context, kind string, desc ocispec.Descriptor, max int64) ([]byte, error) {
	doing := "fetching " + kind + " " + desc.Digest.String()
	if err := checkDescriptor(desc); err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	if desc.Size > max {
		return nil, fmt.Errorf("%s: %w: its size %d exceeds the limit of %d bytes", doing, errdefs.ErrInvalidArgument, desc.Size, max)
	}
	resp, err := r.get(ctx, r.url("blobs", desc.Digest.String()), nil, doing)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body, resp.ContentLength, desc.Size, kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	if err := verifyBytes(raw, desc); err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	return raw, nil
}

// checkDescriptor rejects descriptors whose digest is malformed (it goes
// into URLs and file names) or whose size is negative.
func checkDescriptor(desc ocispec.Descriptor) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("%w: digest %q: %w", errdefs.ErrInvalidArgument, desc.Digest, err)
	}
	if desc.Size < 0 {
		return fmt.Errorf("%w: negative size %d", errdefs.ErrInvalidArgument, desc.Size)
	}
	return nil
}

// verifyBytes checks raw against desc's size and digest.
func verifyBytes(raw []byte, desc ocispec.Descriptor) error {
	if int64(len(raw)) != desc.Size {
		return fmt.Errorf("%w: got %d bytes, the descriptor says %d", errdefs.ErrInvalidArgument, len(raw), desc.Size)
	}
	if got := desc.Digest.Algorithm().FromBytes(raw); got != desc.Digest {
		return fmt.Errorf("%w: digest mismatch: got %s", errdefs.ErrInvalidArgument, got)
	}
	return nil
}

// readCapped reads all of r, failing with ErrInvalidArgument past max bytes
// (without reading them: at most max+1 are read). length is the announced
// length, -1 if unknown.
func readCapped(r io.Reader, length, max int64, what string) ([]byte, error) {
	if length > max {
		return nil, fmt.Errorf("%w: %s of %d bytes exceeds the limit of %d bytes", errdefs.ErrInvalidArgument, what, length, max)
	}
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w: %w", what, errdefs.ErrUnavailable, err)
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%w: %s exceeds the limit of %d bytes", errdefs.ErrInvalidArgument, what, max)
	}
	return raw, nil
}
