package container

import (
	"archive/tar"
	"context"
	"errors"
	"io"

	"github.com/container-runtime/container-runtime/internal/archive"
)

// tarHeader is the header a tar filter may change (owners, for user
// namespaces and cp without -a).
type tarHeader = tar.Header

// errConsumerDone tells a filter's goroutine that its reader stopped.
var errConsumerDone = errors.New("tar consumer finished")

// filterTar returns a reader of the tar r with filter applied to every
// header, and wait, to be called once the reader is no longer read with
// the consumer's error: it stops the filter and returns the error that
// explains the failure best (the filter's, else the consumer's).
func filterTar(ctx context.Context, r io.Reader, filter func(*tarHeader) error) (io.Reader, func(error) error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := copyTar(ctx, pw, r, filter)
		pw.CloseWithError(err)
		done <- err
	}()
	return pr, func(consumerErr error) error {
		pr.CloseWithError(errConsumerDone)
		if err := <-done; err != nil && !errors.Is(err, errConsumerDone) {
			return err
		}
		return consumerErr
	}
}

// pipeTar writes to w the tar that produce writes, with filter applied to
// every header.
func pipeTar(ctx context.Context, w io.Writer, produce func(io.Writer) error, filter func(*tarHeader) error) error {
	return pipeTarFunc(ctx, w, produce, func(h *tar.Header) (bool, error) { return true, filter(h) })
}

// pipeTarFunc is pipeTar with a filter that may leave entries out (see
// archive.Rewrite).
func pipeTarFunc(ctx context.Context, w io.Writer, produce func(io.Writer) error, filter func(*tar.Header) (bool, error)) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := produce(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	err := archive.Rewrite(ctx, w, pr, filter)
	pr.CloseWithError(errConsumerDone)
	if perr := <-done; perr != nil && !errors.Is(perr, errConsumerDone) {
		return perr
	}
	return err
}

// copyTar copies the tar r to w entry by entry, passing every header
// through filter first.
func copyTar(ctx context.Context, w io.Writer, r io.Reader, filter func(*tarHeader) error) error {
	return archive.Rewrite(ctx, w, r, func(h *tar.Header) (bool, error) { return true, filter(h) })
}
