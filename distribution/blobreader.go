package distribution

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// blobReader streams a blob from a registry and verifies it: exactly
// desc.Size bytes whose digest is desc.Digest, or an error instead of
// io.EOF. When the connection breaks (or the body ends early), it asks for
// the rest with an HTTP Range request, up to resumes times; a registry that
// ignores Range sends the whole blob again and the part already read is
// skipped.
type blobReader struct {
	ctx     context.Context
	repo    *repo
	desc    ocispec.Descriptor
	resumes int
	delay   time.Duration
	onRetry func(off int64) // reports a resume, may be nil

	body io.ReadCloser
	off  int64
	h    hash.Hash
	err  error // sticky
}

func (r *repo) openBlob(ctx context.Context, desc ocispec.Descriptor, resumes int, delay time.Duration, onRetry func(int64)) (*blobReader, error) {
	if err := checkDescriptor(desc); err != nil {
		return nil, fmt.Errorf("fetching blob %s: %w", desc.Digest, err)
	}
	b := &blobReader{ctx: ctx, repo: r, desc: desc, resumes: resumes, delay: delay, onRetry: onRetry, h: desc.Digest.Algorithm().Hash()}
	if err := b.open(); err != nil {
		return nil, err
	}
	return b, nil
}

// open starts (or resumes, from b.off) the download.
func (b *blobReader) open() error {
	doing := "fetching blob " + b.desc.Digest.String()
	var hdr http.Header
	if b.off > 0 {
		// Both ends: some registries (go-containerregistry's) do not
		// understand an open range.
		hdr = http.Header{"Range": {"bytes=" + strconv.FormatInt(b.off, 10) + "-" + strconv.FormatInt(b.desc.Size-1, 10)}}
	}
	resp, err := b.repo.get(b.ctx, b.repo.url("blobs", b.desc.Digest.String()), hdr, doing)
	var terr *transport.Error
	if hdr != nil && errors.As(err, &terr) && terr.StatusCode == http.StatusRequestedRangeNotSatisfiable {
		// Ranges refused: take the whole blob again and skip.
		resp, err = b.repo.get(b.ctx, b.repo.url("blobs", b.desc.Digest.String()), nil, doing)
	}
	if err != nil {
		return err
	}
	switch {
	case b.off > 0 && resp.StatusCode == http.StatusPartialContent:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != b.off {
			resp.Body.Close()
			return fmt.Errorf("%s: %w: resuming at %d, the registry answered with range %q", doing, errdefs.ErrUnavailable, b.off, resp.Header.Get("Content-Range"))
		}
	case b.off > 0:
		// No range support: skip what was read already (the digest,
		// computed over the first copy, still covers everything).
		if _, err := io.CopyN(io.Discard, resp.Body, b.off); err != nil {
			resp.Body.Close()
			return fmt.Errorf("%s: %w: skipping to %d: %w", doing, errdefs.ErrUnavailable, b.off, err)
		}
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return fmt.Errorf("%s: %w: unexpected status %s", doing, errdefs.ErrUnavailable, resp.Status)
	case resp.ContentLength >= 0 && resp.ContentLength != b.desc.Size:
		resp.Body.Close()
		return fmt.Errorf("%s: %w: the registry sends %d bytes, the manifest says %d", doing, errdefs.ErrInvalidArgument, resp.ContentLength, b.desc.Size)
	}
	b.body = resp.Body
	return nil
}

// rangeStart parses the first byte position of "bytes START-END/SIZE".
func rangeStart(s string) (int64, bool) {
	s, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(s, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

func (b *blobReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.off == b.desc.Size {
		b.err = b.finish()
		return 0, b.err
	}
	if b.body == nil {
		if err := b.open(); err != nil {
			b.err = err
			return 0, err
		}
	}
	if rest := b.desc.Size - b.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.body.Read(p)
	b.h.Write(p[:n])
	b.off += int64(n)
	if err == nil || (err == io.EOF && b.off == b.desc.Size) {
		return n, nil
	}
	// The body broke, or ended before desc.Size.
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	b.body.Close()
	b.body = nil
	if b.ctx.Err() != nil {
		b.err = b.ctx.Err()
		return n, b.err
	}
	if b.resumes <= 0 {
		b.err = fmt.Errorf("fetching blob %s: %w: connection lost after %d of %d bytes: %w", b.desc.Digest, errdefs.ErrUnavailable, b.off, b.desc.Size, err)
		return n, b.err
	}
	b.resumes--
	if b.onRetry != nil {
		b.onRetry(b.off)
	}
	t := time.NewTimer(b.delay)
	defer t.Stop()
	b.delay *= 2
	select {
	case <-t.C:
	case <-b.ctx.Done():
		b.err = b.ctx.Err()
		return n, b.err
	}
	return n, nil
}

// finish verifies the digest once desc.Size bytes have come.
func (b *blobReader) finish() error {
	if b.body != nil {
		b.body.Close()
		b.body = nil
	}
	got := digest.NewDigest(b.desc.Digest.Algorithm(), b.h)
	if got != b.desc.Digest {
		return fmt.Errorf("fetching blob %s: %w: digest mismatch: the content's digest is %s", b.desc.Digest, errdefs.ErrInvalidArgument, got)
	}
	return io.EOF
}

// Close releases the connection.
func (b *blobReader) Close() error {
	if b.body != nil {
		b.body.Close()
		b.body = nil
	}
	return nil
}
