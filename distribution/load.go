package distribution

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/archive"
)

// maxArchiveEntries bounds the entries of an archive Load reads; real ones
// have a few per layer.
const maxArchiveEntries = 100000

// Load reads a docker-archive (what `docker save` writes, legacy layout
// with <id>/layer.tar included, and podman's) or an OCI image layout tar
// (podman's and skopeo's oci-archive), plain or gzip/bzip2-compressed, and
// registers its images under the names the archive gives them.
//
// The archive is read once, as a stream: layers are applied to the store
// as they come (an archive lists its images after its layers), small JSON
// files are kept in memory within a bound, and nothing else is staged.
// Archive entry names and links cannot point outside the archive; every
// blob is checked against its digest and every layer against its config's
// DiffID; layers and JSON files are size-bounded (Config.Limits). Images
// are registered only once all of them have been checked: on error none is,
// and the layers this load added to the store are removed again (those it
// found there, or that another image or piece of work uses meanwhile,
// stay).
func (d *Service) Load(ctx context.Context, r io.Reader, progress func(Progress)) (_ []image.Image, retErr error) {
	ctx, release := d.store.WithLease(ctx)
	defer release()
	defer func() {
		if retErr != nil {
			if _, err := d.store.Rollback(ctx); err != nil {
				retErr = errors.Join(retErr, err)
			}
		}
	}()
	dr, err := archive.Decompress(r)
	if err != nil {
		return nil, fmt.Errorf("loading images: %w", err)
	}
	defer dr.Close()
	l := &loader{
		d: d, rep: newReporter(progress),
		json: map[string][]byte{}, layers: map[string]digest.Digest{}, links: map[string]string{},
		maxJSON: 16 * d.limits.MaxManifestSize,
	}
	if err := l.read(ctx, dr); err != nil {
		return nil, fmt.Errorf("loading images: %w", err)
	}
	pending, err := l.images()
	if err != nil {
		return nil, fmt.Errorf("loading images: %w", err)
	}
	var out []image.Image
	for _, p := range pending {
		img := image.Image{Layers: p.cfg.RootFS.DiffIDs, Config: p.cfg, Healthcheck: p.ext.Healthcheck, Shell: p.ext.Shell}
		if p.cfg.Created == nil {
			img.Created = time.Unix(0, 0).UTC()
		}
		created, err := d.store.CreateImage(ctx, img, p.names...)
		if err != nil {
			return out, fmt.Errorf("loading images: %w", err)
		}
		out = append(out, created)
	}
	return out, nil
}

// loader holds what Load learned from the archive stream.
type loader struct {
	d   *Service
	rep *reporter
	// json holds the small files (manifests, configs, index) by path.
	json      map[string][]byte
	jsonBytes int64
	maxJSON   int64
	// layers maps the path of each applied layer to its DiffID.
	layers map[string]digest.Digest
	// links maps the path of a link entry to the path it names.
	links map[string]string
}

// read consumes the archive.
func (l *loader) read(ctx context.Context, r io.Reader) error {
	tr := tar.NewReader(r)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			if n == 0 {
				return fmt.Errorf("%w: the archive is empty", errdefs.ErrInvalidArgument)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: reading the archive: %w", errdefs.ErrInvalidArgument, err)
		}
		if n >= maxArchiveEntries {
			return fmt.Errorf("%w: more than %d entries in the archive", errdefs.ErrInvalidArgument, maxArchiveEntries)
		}
		if err := l.entry(ctx, hdr, tr); err != nil {
			return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
		}
	}
}

func (l *loader) entry(ctx context.Context, hdr *tar.Header, r io.Reader) error {
	name, err := archivePath(hdr.Name)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir, tar.TypeXGlobalHeader:
		return nil
	case tar.TypeSymlink:
		// docker save links a layer.tar to an identical earlier one.
		if path.IsAbs(hdr.Linkname) {
			return fmt.Errorf("%w: a link to an absolute path (%q) leaves the archive", errdefs.ErrInvalidArgument, hdr.Linkname)
		}
		target, err := archivePath(path.Join(path.Dir(name), hdr.Linkname))
		if err != nil {
			return err
		}
		l.links[name] = target
		return nil
	case tar.TypeLink:
		target, err := archivePath(hdr.Linkname)
		if err != nil {
			return err
		}
		l.links[name] = target
		return nil
	case tar.TypeReg:
	default:
		return fmt.Errorf("%w: unexpected entry type %q in an image archive", errdefs.ErrInvalidArgument, hdr.Typeflag)
	}
	if hdr.Size < 0 {
		return fmt.Errorf("%w: negative size", errdefs.ErrInvalidArgument)
	}
	blob, isBlob := blobDigest(name)
	base := path.Base(name)
	switch {
	case isBlob && hdr.Size <= l.d.limits.MaxManifestSize:
		// Small blobs are manifests and configs, or small layers.
		raw, err := readCapped(r, hdr.Size, l.d.limits.MaxManifestSize, "blob")
		if err != nil {
			return err
		}
		if got := blob.Algorithm().FromBytes(raw); got != blob {
			return fmt.Errorf("%w: digest mismatch: the content's digest is %s", errdefs.ErrInvalidArgument, got)
		}
		if looksLikeJSON(raw) {
			return l.keepJSON(name, raw)
		}
		return l.applyLayer(ctx, name, bytes.NewReader(raw), hdr.Size, blob)
	case isBlob:
		return l.applyLayer(ctx, name, r, hdr.Size, blob)
	case base == "json" || base == "VERSION":
		// The legacy per-layer metadata of docker save: unused.
		return nil
	case strings.HasSuffix(base, ".json") || base == "repositories":
		raw, err := readCapped(r, hdr.Size, l.d.limits.MaxManifestSize, "file")
		if err != nil {
			return err
		}
		return l.keepJSON(name, raw)
	case strings.HasSuffix(base, ".tar") || strings.HasSuffix(base, ".tar.gz") || strings.HasSuffix(base, ".tgz"):
		return l.applyLayer(ctx, name, r, hdr.Size, "")
	}
	// Anything else (oci-layout, unknown files) is not needed.
	return nil
}

// archivePath cleans an entry name and refuses names that leave the
// archive (absolute, or climbing above its root).
func archivePath(name string) (string, error) {
	if path.IsAbs(name) {
		return "", fmt.Errorf("%w: the absolute name %q leaves the archive", errdefs.ErrInvalidArgument, name)
	}
	p := path.Clean(name)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("%w: the name %q leaves the archive", errdefs.ErrInvalidArgument, name)
	}
	return p, nil
}

var blobPathRE = regexp.MustCompile(`^blobs/([a-z0-9]+)/([a-f0-9]+)$`)

// blobDigest returns the digest an OCI layout path names, if it names one.
func blobDigest(p string) (digest.Digest, bool) {
	m := blobPathRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	d := digest.Digest(m[1] + ":" + m[2])
	return d, d.Validate() == nil
}

func looksLikeJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

func (l *loader) keepJSON(name string, raw []byte) error {
	l.jsonBytes += int64(len(raw))
	if l.jsonBytes > l.maxJSON {
		return fmt.Errorf("%w: the archive's metadata files exceed %d bytes", errdefs.ErrInvalidArgument, l.maxJSON)
	}
	l.json[name] = raw
	return nil
}

// applyLayer applies one layer entry to the store and remembers its DiffID.
// blob, when the path names it, is checked against the entry's content.
func (l *loader) applyLayer(ctx context.Context, name string, r io.Reader, size int64, blob digest.Digest) error {
	h := sha256.New()
	if blob != "" {
		h = blob.Algorithm().Hash()
	}
	id := shortID(blob)
	if blob == "" {
		id = path.Base(path.Dir(name))
	}
	pr := &progressReader{r: io.TeeReader(r, h), report: l.rep.send, p: Progress{ID: id, Status: StatusLoading, Total: size}}
	ls, err := newLayerStream(pr, l.d.limits.layerLimit(size), "")
	if err != nil {
		return err
	}
	defer ls.Close()
	layer, applyErr := l.d.store.ApplyTar(ctx, ls)
	if applyErr != nil && blob != "" {
		// Read the rest of the entry (bounded by the archive) so that a
		// corrupt blob is reported as a digest mismatch.
		io.Copy(io.Discard, pr)
	}
	if blob != "" {
		if got := digest.NewDigest(blob.Algorithm(), h); got != blob {
			return fmt.Errorf("%w: digest mismatch: the content's digest is %s", errdefs.ErrInvalidArgument, got)
		}
	}
	if applyErr != nil {
		return applyErr
	}
	l.layers[name] = layer.DiffID
	l.rep.status(id, StatusLoaded)
	return nil
}

// resolve follows links from p to the entry they end at.
func (l *loader) resolve(p string) (string, error) {
	clean, err := archivePath(p)
	if err != nil {
		return "", err
	}
	for range 16 {
		t, ok := l.links[clean]
		if !ok {
			return clean, nil
		}
		clean = t
	}
	return "", fmt.Errorf("%w: %q: too many levels of links", errdefs.ErrInvalidArgument, p)
}

// jsonFile returns a small file the archive holds.
func (l *loader) jsonFile(p string) ([]byte, error) {
	r, err := l.resolve(p)
	if err != nil {
		return nil, err
	}
	raw, ok := l.json[r]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not in the archive (or is not a JSON file)", errdefs.ErrInvalidArgument, p)
	}
	return raw, nil
}

// layer returns the DiffID of the layer at p.
func (l *loader) layer(p string) (digest.Digest, error) {
	r, err := l.resolve(p)
	if err != nil {
		return "", err
	}
	id, ok := l.layers[r]
	if !ok {
		return "", fmt.Errorf("%w: layer %q is not in the archive", errdefs.ErrInvalidArgument, p)
	}
	return id, nil
}
