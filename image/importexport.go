package image

import (
	"context"
	"fmt"
	"io"

	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/envpath"
)

// DefaultPath is the PATH images made here (bootstrap, import) start with.
const DefaultPath = envpath.Default

// Import makes a one-layer image of a root filesystem tarball (gzip, bzip2 or
// plain) and names it name (no name: a dangling image). The config has only
// PATH set, as the tarball says nothing about how to run it.
func (s *Store) Import(ctx context.Context, r io.Reader, name string) (Image, error) {
	return s.ImportWith(ctx, r, ImportOptions{Name: name})
}

// Export writes the image's flattened root filesystem to w as a tar: its
// layers merged as OverlayFS would show them, whiteouts applied, streamed
// from the layer directories without copying them. The layers are leased
// for the duration, so a concurrent remove and GC cannot pull them away.
func (s *Store) Export(ctx context.Context, ref string, w io.Writer) error {
	ctx, release := s.WithLease(ctx)
	defer release()
	img, err := s.Image(ctx, ref)
	if err != nil {
		return fmt.Errorf("exporting image: %w", err)
	}
	s.Lease(ctx, img.Layers...)
	// The image may have been removed (and its layers collected) between
	// the lookup and the lease: look again now that the lease holds.
	if _, err := s.Image(ctx, img.ID.String()); err != nil {
		return fmt.Errorf("exporting image: %w", err)
	}
	if err := archive.WriteMerged(ctx, w, s.LowerDirs(img.Layers)); err != nil {
		return fmt.Errorf("exporting image %s: %w", img.ID, err)
	}
	return nil
}
