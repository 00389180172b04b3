package main

import (
	"context"
	"fmt"
	"io"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/container"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/image"
)

// The container service serves the routes on containers' files, and the
// image service imports with changes.
var (
	_ daemon.ContainerFiles = (*container.Service)(nil)
	_ daemon.ImageImporter  = (*imageService)(nil)
)

// ImportWith implements daemon.ImageImporter.
func (s *imageService) ImportWith(ctx context.Context, r io.Reader, opts api.ImageImportOptions, progress io.Writer) (string, error) {
	fmt.Fprintf(progress, "Importing a root filesystem tarball\n")
	img, err := s.Store.ImportWith(ctx, r, image.ImportOptions{Name: opts.Name, Changes: opts.Changes, Message: opts.Message})
	if err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "Imported %s (%d bytes)\n", img.ID, img.Size)
	s.publish("import", img.ID.String(), opts.Name)
	return img.ID.String(), nil
}
