package archive

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Decompress returns the uncompressed content of r, recognising gzip and
// bzip2 by their magic numbers; anything else is returned as is (a plain
// tar). xz and zstd are recognised and refused with ErrInvalidArgument, so
// that a compressed archive is never mistaken for a plain one.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Peek returns fewer bytes (and an error) for short inputs; a short
	// input is simply not compressed.
	magic, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzip header: %w: %w", errdefs.ErrInvalidArgument, err)
		}
		return zr, nil
	case len(magic) >= 4 && bytes.HasPrefix(magic, []byte("BZh")) && magic[3] >= '1' && magic[3] <= '9':
		return io.NopCloser(bzip2.NewReader(br)), nil
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return nil, fmt.Errorf("xz-compressed archive: %w: only gzip, bzip2 and uncompressed tar are supported", errdefs.ErrInvalidArgument)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, fmt.Errorf("zstd-compressed archive: %w: only gzip, bzip2 and uncompressed tar are supported", errdefs.ErrInvalidArgument)
	}
	return io.NopCloser(br), nil
}
