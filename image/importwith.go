package image

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ImportOptions complete what a root filesystem tarball says about the
// image made from it (`import -c ... -m ... FILE NAME`).
type ImportOptions struct {
	// Name is the image's reference; empty leaves it dangling.
	Name string
	// Changes are Dockerfile instructions applied to the config (see
	// ApplyChanges), over the default PATH.
	Changes []string
	// Message is the comment of the image's history entry.
	Message string
}

// ImportWith makes a one-layer image of a root filesystem tarball (gzip,
// bzip2 or plain), as Import does, with opts applied. Bad changes fail
// with ErrInvalidArgument before the tarball is read.
func (s *Store) ImportWith(ctx context.Context, r io.Reader, opts ImportOptions) (Image, error) {
	cfg := ocispec.ImageConfig{Env: []string{"PATH=" + DefaultPath}}
	if err := ApplyChanges(&cfg, opts.Changes); err != nil {
		return Image{}, fmt.Errorf("importing root filesystem: %w", err)
	}
	if opts.Name != "" {
		if _, err := NormalizeName(opts.Name); err != nil {
			return Image{}, fmt.Errorf("importing root filesystem: %w", err)
		}
	}
	ctx, release := s.WithLease(ctx)
	defer release()
	layer, err := s.ApplyTar(ctx, r)
	if err != nil {
		return Image{}, fmt.Errorf("importing root filesystem: %w", err)
	}
	comment := opts.Message
	if comment == "" {
		comment = "imported from a root filesystem tarball"
	}
	now := time.Now().UTC()
	img := Image{
		Layers:  []digest.Digest{layer.DiffID},
		Created: now,
		Config: ocispec.Image{
			Config:  cfg,
			History: []ocispec.History{{Created: &now, CreatedBy: "container-runtime import", Comment: comment}},
		},
	}
	var names []string
	if opts.Name != "" {
		names = append(names, opts.Name)
	}
	return s.CreateImage(ctx, img, names...)
}
