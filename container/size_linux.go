package container

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"

	"github.com/opencontainers/go-digest"
)

// sizes are Docker's SizeRw (the bytes of the files in the container's
// writable layer, its overlay upper directory, each hard-linked file
// once) and SizeRootFs (that plus the image's size). They walk the
// layer, so ps computes them only with -s. A layer that cannot be read
// counts what could be. imageSizes caches the images' sizes over one
// listing.
func (s *Service) sizes(ctx context.Context, r *record, imageSizes map[digest.Digest]int64) (rw, rootfs int64) {
	seen := map[uint64]bool{}
	filepath.WalkDir(filepath.Join(s.containerDir(r.ID), "upper"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		rw += info.Size()
		return nil
	})
	size, ok := imageSizes[r.ImageID]
	if !ok {
		if img, err := s.images.Image(ctx, r.ImageID.String()); err == nil {
			size = img.Size
		}
		imageSizes[r.ImageID] = size
	}
	return rw, rw + size
}
