package distribution

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/errdefs"
)

// maxZstdWindow bounds the memory a zstd layer can make the decoder take
// (zstd --long=27 uses 128 MiB; the format allows far more).
const maxZstdWindow = 128 << 20

// layerStream is the uncompressed tar stream of a layer blob. It counts and
// hashes what it yields, fails past a size limit (a decompression bomb
// fills neither memory nor disk), and, at the end, reads the compressed
// source to its own end (so that a verifying source checks its digest)
// and compares the uncompressed digest with the expected DiffID. Only then
// does it return io.EOF: a consumer that commits on EOF, as
// image.Store.ApplyTar does, never commits an unverified layer.
type layerStream struct {
	src   io.Reader // the compressed source, buffered
	dec   io.Reader
	close func()
	limit int64
	want  digest.Digest
	n     int64
	h     hash.Hash
	err   error
}

// newLayerStream decompresses r (gzip, zstd or bzip2 recognised by their
// magic numbers; anything else is taken for a plain tar). want, when set,
// is the DiffID the stream must have.
func newLayerStream(r io.Reader, limit int64, want digest.Digest) (*layerStream, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// A short blob simply is not compressed; Peek's error is for that.
	magic, _ := br.Peek(6)
	l := &layerStream{src: br, dec: br, close: func() {}, limit: limit, want: want, h: sha256.New()}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the layer's gzip header: %w", errdefs.ErrInvalidArgument, err)
		}
		l.dec, l.close = zr, func() { zr.Close() }
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, fmt.Errorf("%w: reading the layer's zstd header: %w", errdefs.ErrInvalidArgument, err)
		}
		l.dec, l.close = zr, zr.Close
	case len(magic) >= 4 && bytes.HasPrefix(magic, []byte("BZh")) && magic[3] >= '1' && magic[3] <= '9':
		l.dec = bzip2.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return nil, fmt.Errorf("%w: xz-compressed layers are not supported", errdefs.ErrInvalidArgument)
	}
	return l, nil
}

func (l *layerStream) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.dec.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		l.err = fmt.Errorf("%w: the layer uncompresses to more than %d bytes (limit; a decompression bomb?)", errdefs.ErrInvalidArgument, l.limit)
		return 0, l.err
	}
	l.h.Write(p[:n])
	switch {
	case err == io.EOF:
		l.err = l.finish()
		return n, l.err
	case err != nil:
		l.err = err
		if !isTagged(err) {
			l.err = fmt.Errorf("%w: decompressing layer: %w", errdefs.ErrInvalidArgument, err)
			// A corrupt blob usually breaks the compression before
			// its end, where its digest is checked: read on (the
			// source is bounded) so that the error says which it is.
			if _, serr := io.Copy(io.Discard, l.src); serr != nil && isTagged(serr) {
				l.err = serr
			}
		}
		return n, l.err
	}
	return n, nil
}

// finish drains the source and checks the DiffID.
func (l *layerStream) finish() error {
	if _, err := io.Copy(io.Discard, l.src); err != nil {
		return err
	}
	if l.want != "" && l.DiffID() != l.want {
		return fmt.Errorf("%w: the layer's uncompressed digest is %s, its config says %s", errdefs.ErrInvalidArgument, l.DiffID(), l.want)
	}
	return io.EOF
}

// DiffID is the digest of what was read so far (the whole layer once Read
// returned io.EOF).
func (l *layerStream) DiffID() digest.Digest { return digest.NewDigest(digest.SHA256, l.h) }

// Size is the number of uncompressed bytes read so far.
func (l *layerStream) Size() int64 { return l.n }

// Close releases the decompressor.
func (l *layerStream) Close() { l.close() }

// isTagged reports whether err already says what kind of failure it is: one
// of our error kinds, or a cancellation.
func isTagged(err error) bool {
	for _, k := range []error{errdefs.ErrInvalidArgument, errdefs.ErrUnavailable, errdefs.ErrNotFound, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
