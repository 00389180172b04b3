package distribution

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// writeLayer writes a stored layer to w as an uncompressed tar and returns
// the stream's digest and length.
//
// The stream is archive.WriteDiff's deterministic rendering of the layer
// directory. For a layer committed here (built, or applied from such a
// stream) that is exactly the stream its DiffID was computed from. A layer
// applied from another tool's tar was recorded under that tar's digest,
// which the rendering does not reproduce (entry order, times, user names
// differ): its exported DiffID is then the rendering's, and the image's
// config must list that one (exportConfig). Keeping the original stream
// (tar-split metadata, as Docker does) would avoid that; the store keeps
// no such metadata today.
func (d *Service) writeLayer(ctx context.Context, diffID digest.Digest, w io.Writer) (digest.Digest, int64, error) {
	h := sha256.New()
	cw := &archive.CountingWriter{W: io.MultiWriter(w, h)}
	if err := archive.WriteDiff(ctx, cw, d.store.LayerDir(diffID)); err != nil {
		return "", 0, fmt.Errorf("exporting layer %s: %w", diffID, err)
	}
	return digest.NewDigest(digest.SHA256, h), cw.N, nil
}

// exportConfig returns the config of img to publish with layers whose
// exported DiffIDs are diffIDs, and its digest. With unchanged DiffIDs the
// bytes are the store's canonical config, whose digest is the image id, so
// the image keeps its id wherever it goes.
func exportConfig(img image.Image, diffIDs []digest.Digest) ([]byte, digest.Digest, error) {
	cfg := img.Config
	if !slices.Equal(diffIDs, img.Layers) {
		cfg.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: diffIDs}
	}
	raw, err := image.MarshalConfig(cfg, img.Extensions())
	if err != nil {
		return nil, "", fmt.Errorf("encoding the config of image %s: %w", img.ID, err)
	}
	return raw, digest.FromBytes(raw), nil
}
