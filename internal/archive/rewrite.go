package archive

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Rewrite copies the tar stream r to w entry by entry, passing every
// header through fn first: fn may change the header (names, owners) and
// returns false to leave the entry (and its content) out. A malformed
// stream fails with ErrInvalidArgument, and so does a sparse entry: its
// holes would come out as zeros in full (a few bytes of header can claim
// terabytes), and nothing here writes sparse files. The output always
// ends with a proper end-of-archive marker.
func Rewrite(ctx context.Context, w io.Writer, r io.Reader, fn func(*tar.Header) (bool, error)) error {
	tr := tar.NewReader(r)
	tw := tar.NewWriter(w)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar header: %w: %w", errdefs.ErrInvalidArgument, err)
		}
		if isSparse(hdr) {
			return fmt.Errorf("%w: %s: sparse tar entries are not supported", errdefs.ErrInvalidArgument, hdr.Name)
		}
		keep, err := fn(hdr)
		if err != nil {
			return err
		}
		if !keep {
			continue
		}
		// The writer picks a format that holds the changed header.
		hdr.Format = tar.FormatUnknown
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("writing tar header for %s: %w", hdr.Name, err)
		}
		if _, err := io.Copy(tw, tarContent{tr}); err != nil {
			return fmt.Errorf("copying %s: %w", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing tar stream: %w", err)
	}
	return nil
}

// isSparse reports whether hdr is a GNU sparse entry, old style or PAX.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}
