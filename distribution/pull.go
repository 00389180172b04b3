package distribution

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// PullOptions tune a pull.
type PullOptions struct {
	// Platform chooses the manifest of a multi-platform image
	// ("linux/arm64", "arm64"); empty: this machine's. A single-platform
	// image for another platform is refused only when Platform is set.
	Platform string
	// Insecure allows plain HTTP to the registry, which the reference
	// must name (never to Docker Hub by default). Loopback registries are
	// always allowed plain HTTP.
	Insecure bool
	// Auth gives the credentials; nil: the Service's Config.Auth.
	Auth Keychain
	// Progress receives the pull's progress, from several goroutines but
	// never concurrently; nil: none.
	Progress func(Progress)
}

// Pull fetches an image from its registry into the store and names it as
// Docker would ("debian" pulls docker.io/library/debian:latest and names it
// "debian:latest"; a reference by digest names nothing). Layers the store
// has (by DiffID) are not downloaded; the others download in parallel,
// are checked against their digests and DiffIDs, and are applied as they
// arrive. The config is kept as the registry has it: Entrypoint and Cmd keep
// their Docker meaning, and startup commands exist only if the config
// carries image.StartupCommandsLabel. Concurrent pulls of the same
// reference and platform share the work (and its outcome).
func (d *Service) Pull(ctx context.Context, ref string, opts PullOptions) (image.Image, error) {
	r, err := parseRemote(ref, opts.Insecure)
	if err != nil {
		return image.Image{}, fmt.Errorf("pulling: %w", err)
	}
	p, err := ParsePlatform(opts.Platform)
	if err != nil {
		return image.Image{}, fmt.Errorf("pulling %s: %w", ref, err)
	}
	key := fmt.Sprintf("%s|%s|%t|%t", r, p, opts.Platform != "", r.insecure)
	v, err := d.pulls.do(ctx, key, opts.Progress, d.hooks.joined, func(ctx context.Context, report func(Progress)) (any, error) {
		return d.pull(ctx, r, p, opts.Platform != "", opts.Auth, newReporter(report))
	})
	if err != nil {
		return image.Image{}, fmt.Errorf("pulling %s: %w", ref, err)
	}
	return v.(image.Image), nil
}

func (d *Service) pull(ctx context.Context, r remoteRef, p Platform, explicit bool, keychain Keychain, rep *reporter) (image.Image, error) {
	client, _, err := d.registryClient(ctx, r.registry(), r.insecure, keychain, []string{r.ref.Scope(transport.PullScope)})
	if err != nil {
		return image.Image{}, err
	}
	rp := &repo{client: client, host: r.host(), path: r.ref.Context().RepositoryStr(), limits: d.limits}
	raw, mediaType, dgst, err := rp.manifest(ctx, r.ref.Identifier())
	if err != nil {
		return image.Image{}, err
	}
	m, err := d.imageManifest(ctx, rp, raw, mediaType, p)
	if err != nil {
		return image.Image{}, err
	}
	cfgRaw, err := rp.blobBytes(ctx, "image config", m.Config, d.limits.MaxConfigSize)
	if err != nil {
		return image.Image{}, err
	}
	cfg, err := decodeConfig(cfgRaw, m.Layers)
	if err != nil {
		return image.Image{}, fmt.Errorf("image config %s: %w", m.Config.Digest, err)
	}
	ext, err := image.ExtensionsOf(cfgRaw)
	if err != nil {
		return image.Image{}, fmt.Errorf("image config %s: %w", m.Config.Digest, err)
	}
	if explicit && !p.matches(&ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}) {
		return image.Image{}, fmt.Errorf("%w: the image is for %s/%s, not %s", errdefs.ErrNotFound, cfg.OS, cfg.Architecture, p)
	}

	ctx, release := d.store.WithLease(ctx)
	defer release()
	if err := d.fetchLayers(ctx, rp, m.Layers, cfg.RootFS.DiffIDs, rep); err != nil {
		return image.Image{}, err
	}
	img := image.Image{Layers: cfg.RootFS.DiffIDs, Config: cfg, Healthcheck: ext.Healthcheck, Shell: ext.Shell}
	if cfg.Created == nil {
		// The store would stamp the time of the pull, making the id
		// differ from one pull to the next.
		img.Created = time.Unix(0, 0).UTC()
	}
	var names []string
	if r.local != "" {
		names = append(names, r.local)
	}
	out, err := d.store.CreateImage(ctx, img, names...)
	if err != nil {
		return image.Image{}, err
	}
	rep.status("", "Digest: "+dgst.String())
	return out, nil
}

// imageManifest decodes a manifest, or picks p's manifest from an index
// and fetches it.
func (d *Service) imageManifest(ctx context.Context, rp *repo, raw []byte, mediaType string, p Platform) (ocispec.Manifest, error) {
	if mediaType == ocispec.MediaTypeImageIndex || mediaType == mediaTypeDockerList {
		var idx ocispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return ocispec.Manifest{}, fmt.Errorf("%w: decoding image index: %w", errdefs.ErrInvalidArgument, err)
		}
		desc, err := selectManifest(idx, p)
		if err != nil {
			return ocispec.Manifest{}, err
		}
		if err := checkDescriptor(desc); err != nil {
			return ocispec.Manifest{}, fmt.Errorf("image index entry for %s: %w", p, err)
		}
		if desc.Size > d.limits.MaxManifestSize {
			return ocispec.Manifest{}, fmt.Errorf("image index entry for %s: %w: a manifest of %d bytes exceeds the limit of %d bytes", p, errdefs.ErrInvalidArgument, desc.Size, d.limits.MaxManifestSize)
		}
		raw, mediaType, _, err = rp.manifest(ctx, desc.Digest.String())
		if err != nil {
			return ocispec.Manifest{}, err
		}
		if int64(len(raw)) != desc.Size {
			return ocispec.Manifest{}, fmt.Errorf("manifest %s: %w: %d bytes, the index says %d", desc.Digest, errdefs.ErrInvalidArgument, len(raw), desc.Size)
		}
		if mediaType == ocispec.MediaTypeImageIndex || mediaType == mediaTypeDockerList {
			return ocispec.Manifest{}, fmt.Errorf("manifest %s: %w: an index nested in an index is not supported", desc.Digest, errdefs.ErrInvalidArgument)
		}
	}
	return decodeManifest(raw)
}

// decodeManifest decodes an image manifest and checks that it describes a
// container image: a config of an image config type, layers of a tar type.
func decodeManifest(raw []byte) (ocispec.Manifest, error) {
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%w: decoding manifest: %w", errdefs.ErrInvalidArgument, err)
	}
	switch m.Config.MediaType {
	case ocispec.MediaTypeImageConfig, mediaTypeDockerConfig:
	default:
		return m, fmt.Errorf("%w: not a container image: the manifest's config is a %q", errdefs.ErrInvalidArgument, m.Config.MediaType)
	}
	if err := checkDescriptor(m.Config); err != nil {
		return m, fmt.Errorf("manifest config: %w", err)
	}
	for _, l := range m.Layers {
		if !strings.Contains(l.MediaType, "tar") {
			return m, fmt.Errorf("%w: not a container image: layer %s is a %q", errdefs.ErrInvalidArgument, l.Digest, l.MediaType)
		}
		if err := checkDescriptor(l); err != nil {
			return m, fmt.Errorf("manifest layer: %w", err)
		}
	}
	return m, nil
}

// decodeConfig decodes an image config and checks it against its layers.
func decodeConfig(raw []byte, layers []ocispec.Descriptor) (ocispec.Image, error) {
	var cfg ocispec.Image
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, fmt.Errorf("%w: decoding: %w", errdefs.ErrInvalidArgument, err)
	}
	if cfg.OS != "" && cfg.OS != "linux" {
		return cfg, fmt.Errorf("%w: the image is for %s; only linux images run here", errdefs.ErrInvalidArgument, cfg.OS)
	}
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return cfg, fmt.Errorf("%w: it lists %d layer DiffIDs for %d layers", errdefs.ErrInvalidArgument, len(cfg.RootFS.DiffIDs), len(layers))
	}
	for _, id := range cfg.RootFS.DiffIDs {
		if err := id.Validate(); err != nil || id.Algorithm() != digest.SHA256 {
			return cfg, fmt.Errorf("%w: layer DiffID %q is not a sha256 digest", errdefs.ErrInvalidArgument, id)
		}
	}
	return cfg, nil
}

// fetchLayers makes sure the store has every layer, downloading the
// missing ones Config.Jobs at a time, and leases them all to ctx.
func (d *Service) fetchLayers(ctx context.Context, rp *repo, layers []ocispec.Descriptor, diffIDs []digest.Digest, rep *reporter) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.cfg.Jobs)
	seen := map[digest.Digest]bool{}
	for i, desc := range layers {
		diffID := diffIDs[i]
		if seen[diffID] {
			continue
		}
		seen[diffID] = true
		if d.haveLayer(ctx, diffID) {
			rep.status(shortID(desc.Digest), StatusAlreadyExists)
			continue
		}
		rep.status(shortID(desc.Digest), StatusWaiting)
		g.Go(func() error { return d.fetchLayer(gctx, rp, desc, diffID, rep) })
	}
	return g.Wait()
}

// haveLayer reports whether the store has a layer, and leases it to ctx
// if so. The second look, after the lease, closes the window in which GC
// could have taken it between the first look and the lease.
func (d *Service) haveLayer(ctx context.Context, diffID digest.Digest) bool {
	if _, err := d.store.Layer(ctx, diffID); err != nil {
		return false
	}
	d.store.Lease(ctx, diffID)
	_, err := d.store.Layer(ctx, diffID)
	return err == nil
}

// fetchLayer downloads and applies one layer; concurrent requests for the
// same DiffID share one download.
func (d *Service) fetchLayer(ctx context.Context, rp *repo, desc ocispec.Descriptor, diffID digest.Digest, rep *reporter) error {
	id := shortID(desc.Digest)
	_, err := d.layers.do(ctx, diffID.String(), rep.send, d.hooks.joined, func(ctx context.Context, report func(Progress)) (any, error) {
		// A lease of its own: the layer must outlive this download
		// until every pull waiting for it has leased it in turn.
		ctx, release := d.store.WithLease(ctx)
		defer release()
		if d.haveLayer(ctx, diffID) {
			return nil, nil
		}
		onRetry := func(off int64) { report(Progress{ID: id, Status: StatusRetrying, Current: off, Total: desc.Size}) }
		br, err := rp.openBlob(ctx, desc, d.cfg.Resumes, d.cfg.ResumeDelay, onRetry)
		if err != nil {
			return nil, err
		}
		defer br.Close()
		pr := &progressReader{r: br, report: report, p: Progress{ID: id, Status: StatusDownloading, Total: desc.Size}}
		ls, err := newLayerStream(pr, d.limits.layerLimit(desc.Size), diffID)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", desc.Digest, err)
		}
		defer ls.Close()
		if _, err := d.store.ApplyTar(ctx, ls); err != nil {
			// Corruption can make the tar invalid before the end of the
			// blob, where its digest is checked: finish reading (the
			// blob is bounded by its descriptor) so that a digest
			// mismatch or a broken connection is reported as such.
			if _, berr := io.Copy(io.Discard, br); berr != nil && !errors.Is(berr, context.Canceled) {
				err = berr
			}
			return nil, fmt.Errorf("layer %s: %w", desc.Digest, err)
		}
		report(Progress{ID: id, Status: StatusPullComplete})
		return nil, nil
	})
	if err != nil {
		return err
	}
	if !d.haveLayer(ctx, diffID) {
		return fmt.Errorf("layer %s: %w: it disappeared from the store right after its download", desc.Digest, errdefs.ErrConflict)
	}
	return nil
}
