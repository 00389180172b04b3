package image

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// ApplyTar extracts an OCI or Docker layer tar (gzip, bzip2 or plain,
// recognised by content) into a new layer and commits it. Whiteouts become
// their overlay form. The DiffID is the sha256 of the uncompressed stream as
// given (the value image configs list for it), so applying the same tar
// twice gives the same layer. Nothing is registered if the tar is invalid
// (ErrInvalidArgument) or tries to write outside the layer.
func (s *Store) ApplyTar(ctx context.Context, r io.Reader) (Layer, error) {
	w, err := s.NewLayer(ctx)
	if err != nil {
		return Layer{}, err
	}
	layer, err := s.applyTar(ctx, w, r)
	if err != nil {
		w.Abort()
		return Layer{}, fmt.Errorf("applying layer tar: %w", err)
	}
	return layer, nil
}

func (s *Store) applyTar(ctx context.Context, w *LayerWriter, r io.Reader) (Layer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	dr, err := archive.Decompress(r)
	if err != nil {
		return Layer{}, err
	}
	defer dr.Close()
	h := sha256.New()
	n := &archive.CountingWriter{W: h}
	tee := io.TeeReader(dr, n)
	if err := archive.Extract(ctx, tee, w.Dir(), archive.ExtractOptions{OverlayWhiteouts: true}); err != nil {
		return Layer{}, err
	}
	// The tar reader stops at the end-of-archive marker; the digest covers
	// the whole stream, padding included.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return Layer{}, fmt.Errorf("%w: reading the end of the layer tar: %w", errdefs.ErrInvalidArgument, err)
	}
	return w.commit(ctx, digest.NewDigest(digest.SHA256, h), n.N)
}
