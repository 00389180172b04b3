package distribution

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// pushGzipLevel trades push time for size. klauspost's level 1..9 run
// 2-3 times faster than compress/gzip's at similar ratios; the default
// level stays within a few percent of Docker's layer sizes.
const pushGzipLevel = gzip.DefaultCompression

// PushOptions tune a push.
type PushOptions struct {
	// Insecure allows plain HTTP to the registry the reference names.
	Insecure bool
	// Auth gives the credentials; nil: the Service's Config.Auth.
	Auth Keychain
	// Progress receives the push's progress (see PullOptions.Progress).
	Progress func(Progress)
}

// pushedBlob is what a push made of a layer: the compressed blob and the
// DiffID of its content.
type pushedBlob struct {
	digest digest.Digest
	size   int64
	diffID digest.Digest
}

// Push uploads the image the store names ref to the registry ref names
// (tag it first to push under another name), as an OCI manifest with gzip
// layers rendered from the layer directories, and returns the manifest's
// digest. The config keeps image.StartupCommandsLabel, so pulling it back
// gives the same image (same id). Blobs the registry has are not sent;
// layers are compressed and sent Config.Jobs at a time, through temporary
// files in the store's tmp/ (bounded by the compressed image size).
func (d *Service) Push(ctx context.Context, ref string, opts PushOptions) (digest.Digest, error) {
	r, err := parseRemote(ref, opts.Insecure)
	if err != nil {
		return "", fmt.Errorf("pushing: %w", err)
	}
	if r.local == "" {
		return "", fmt.Errorf("pushing %s: %w: push a name:tag, not a digest", ref, errdefs.ErrInvalidArgument)
	}
	dg, err := d.push(ctx, r, opts, newReporter(opts.Progress))
	if err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	return dg, nil
}

func (d *Service) push(ctx context.Context, r remoteRef, opts PushOptions, rep *reporter) (digest.Digest, error) {
	ctx, release := d.store.WithLease(ctx)
	defer release()
	img, err := d.store.Image(ctx, r.local)
	if err != nil {
		return "", err
	}
	d.store.Lease(ctx, img.Layers...)
	// Removed (and its layers collected) before the lease held?
	if img, err = d.store.Image(ctx, img.ID.String()); err != nil {
		return "", err
	}

	client, rt, err := d.registryClient(ctx, r.registry(), r.insecure, opts.Auth, []string{r.ref.Scope(transport.PushScope)})
	if err != nil {
		return "", err
	}
	rp := &repo{client: client, host: r.host(), path: r.ref.Context().RepositoryStr(), limits: d.limits}

	tmp, err := os.MkdirTemp(filepath.Join(d.store.Root(), "tmp"), "push-")
	if err != nil {
		return "", fmt.Errorf("preparing layers: %w", err)
	}
	defer os.RemoveAll(tmp)

	blobs := make([]pushedBlob, len(img.Layers))
	paths := make([]string, len(img.Layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.cfg.Jobs)
	for i, diffID := range img.Layers {
		g.Go(func() error {
			b, path, err := d.prepareLayer(gctx, rp, diffID, filepath.Join(tmp, fmt.Sprint(i)), rep)
			blobs[i], paths[i] = b, path
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}

	diffIDs := make([]digest.Digest, len(blobs))
	for i, b := range blobs {
		diffIDs[i] = b.diffID
	}
	config, configDigest, err := exportConfig(img, diffIDs)
	if err != nil {
		return "", err
	}
	m := ocispec.Manifest{
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: configDigest, Size: int64(len(config))},
		Layers:    []ocispec.Descriptor{},
	}
	m.SchemaVersion = 2
	pi := &pushImage{config: config, layers: map[v1.Hash]*pushLayer{}}
	for i, b := range blobs {
		m.Layers = append(m.Layers, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: b.digest, Size: b.size})
		h, err := v1.NewHash(b.digest.String())
		if err != nil {
			return "", err
		}
		pi.layers[h] = &pushLayer{digest: h, size: b.size, path: paths[i], report: rep.send}
	}
	if pi.manifest, err = json.Marshal(m); err != nil {
		return "", fmt.Errorf("encoding manifest: %w", err)
	}
	v1img, err := partialImage(pi)
	if err != nil {
		return "", err
	}
	if err := remote.Write(r.ref, v1img, remote.WithTransport(rt), remote.WithContext(ctx), remote.WithJobs(d.cfg.Jobs)); err != nil {
		return "", registryError(r.host(), "uploading to", err)
	}
	for i, b := range blobs {
		if paths[i] != "" {
			rep.status(shortID(b.digest), StatusPushed)
		}
	}
	dg := digest.FromBytes(pi.manifest)
	rep.status("", fmt.Sprintf("%s: digest: %s size: %d", r.ref.Identifier(), dg, len(pi.manifest)))
	return dg, nil
}

// prepareLayer returns the blob for a layer and the file holding it, or no
// file when the registry already has the blob this Service made of the
// layer before (then nothing is compressed).
func (d *Service) prepareLayer(ctx context.Context, rp *repo, diffID digest.Digest, path string, rep *reporter) (pushedBlob, string, error) {
	d.pushedMu.Lock()
	b, known := d.pushed[diffID]
	d.pushedMu.Unlock()
	if known {
		exists, err := rp.blobExists(ctx, b.digest)
		if err != nil {
			return b, "", err
		}
		if exists {
			rep.status(shortID(b.digest), StatusLayerExists)
			return b, "", nil
		}
	}
	rep.status(shortID(diffID), StatusPreparing)
	b, err := d.compressLayer(ctx, diffID, path)
	if err != nil {
		return b, "", err
	}
	d.pushedMu.Lock()
	d.pushed[diffID] = b
	d.pushedMu.Unlock()
	exists, err := rp.blobExists(ctx, b.digest)
	if err != nil {
		return b, "", err
	}
	if exists {
		rep.status(shortID(b.digest), StatusLayerExists)
		os.Remove(path)
		return b, "", nil
	}
	return b, path, nil
}

// compressLayer renders a layer as a gzip tar into path.
func (d *Service) compressLayer(ctx context.Context, diffID digest.Digest, path string) (pushedBlob, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return pushedBlob{}, fmt.Errorf("compressing layer %s: %w", diffID, err)
	}
	defer f.Close()
	h := sha256.New()
	cw := &archive.CountingWriter{W: h}
	bw := bufio.NewWriterSize(f, 256<<10)
	zw, err := gzip.NewWriterLevel(io.MultiWriter(bw, cw), pushGzipLevel)
	if err != nil {
		return pushedBlob{}, err
	}
	uncompressed, _, err := d.writeLayer(ctx, diffID, zw)
	if err != nil {
		return pushedBlob{}, err
	}
	if err := zw.Close(); err != nil {
		return pushedBlob{}, fmt.Errorf("compressing layer %s: %w", diffID, err)
	}
	if err := bw.Flush(); err != nil {
		return pushedBlob{}, fmt.Errorf("compressing layer %s: %w", diffID, err)
	}
	if err := f.Close(); err != nil {
		return pushedBlob{}, fmt.Errorf("compressing layer %s: %w", diffID, err)
	}
	return pushedBlob{digest: digest.NewDigest(digest.SHA256, h), size: cw.N, diffID: uncompressed}, nil
}

// blobExists asks the registry whether it has a blob.
func (r *repo) blobExists(ctx context.Context, dg digest.Digest) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, r.url("blobs", dg.String()), nil)
	if err != nil {
		return false, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return false, registryError(r.host, "checking blob "+dg.String()+" on", err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, registryError(r.host, "checking blob "+dg.String()+" on", transport.CheckError(resp, http.StatusOK))
}
