package distribution

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// Archive formats of Save.
const (
	// FormatDocker is a docker-archive as `docker save` (25 and later)
	// writes it: manifest.json and repositories for `docker load` and
	// podman, over an OCI image layout holding the blobs.
	FormatDocker = "docker"
	// FormatOCI is an OCI image layout (oci-layout, index.json, blobs/),
	// as `podman save --format oci-archive` and skopeo's oci-archive.
	FormatOCI = "oci"
)

// dockerManifestEntry is one image of a docker-archive's manifest.json.
type dockerManifestEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// OCI layout annotations naming an image.
const (
	annotationRefName        = ocispec.AnnotationRefName // org.opencontainers.image.ref.name
	annotationContainerdName = "io.containerd.image.name"
)

// savedImage is an image going into an archive.
type savedImage struct {
	img      image.Image
	names    []string // store names, "busybox:latest"
	config   []byte
	manifest []byte
}

// Save writes the images refs name to w as a tar archive in format
// (FormatDocker when empty). An image saved by name carries that name; by
// id it carries none (as docker save). Layers are written uncompressed,
// rendered from the layer directories (each twice: once to learn its
// digest and size, once into the archive), so nothing is staged on disk.
// Images and layers are leased for the duration.
func (d *Service) Save(ctx context.Context, refs []string, w io.Writer, format string) error {
	if format == "" {
		format = FormatDocker
	}
	if format != FormatDocker && format != FormatOCI {
		return fmt.Errorf("saving images: %w: unknown archive format %q (want %q or %q)", errdefs.ErrInvalidArgument, format, FormatDocker, FormatOCI)
	}
	if len(refs) == 0 {
		return fmt.Errorf("saving images: %w: no image named", errdefs.ErrInvalidArgument)
	}
	ctx, release := d.store.WithLease(ctx)
	defer release()
	images, err := d.saveList(ctx, refs)
	if err != nil {
		return fmt.Errorf("saving images: %w", err)
	}

	// Pass 1: the digest and size of every layer's rendering.
	var layers []digest.Digest
	for _, si := range images {
		for _, l := range si.img.Layers {
			if !slices.Contains(layers, l) {
				layers = append(layers, l)
			}
		}
	}
	exported := make([]ocispec.Descriptor, len(layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.cfg.Jobs)
	for i, l := range layers {
		g.Go(func() error {
			dg, n, err := d.writeLayer(gctx, l, io.Discard)
			exported[i] = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: dg, Size: n}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("saving images: %w", err)
	}
	byLayer := map[digest.Digest]ocispec.Descriptor{}
	for i, l := range layers {
		byLayer[l] = exported[i]
	}
	for _, si := range images {
		if err := si.describe(byLayer); err != nil {
			return fmt.Errorf("saving images: %w", err)
		}
	}

	// Pass 2: the archive.
	aw := &archiveWriter{tw: tar.NewWriter(w)}
	aw.dir("blobs/")
	aw.dir("blobs/sha256/")
	for i, l := range layers {
		if aw.err != nil {
			break
		}
		aw.stream(blobPath(exported[i].Digest), exported[i].Size, func(w io.Writer) error {
			dg, n, err := d.writeLayer(ctx, l, w)
			if err == nil && (dg != exported[i].Digest || n != exported[i].Size) {
				err = fmt.Errorf("%w: layer %s changed while being saved", errdefs.ErrConflict, l)
			}
			return err
		})
	}
	for _, si := range images {
		aw.file(blobPath(digest.FromBytes(si.config)), si.config)
		aw.file(blobPath(digest.FromBytes(si.manifest)), si.manifest)
	}
	index, err := ociIndex(images)
	if err != nil {
		return fmt.Errorf("saving images: %w", err)
	}
	aw.file("index.json", index)
	if format == FormatDocker {
		manifest, repositories, err := dockerManifest(images, byLayer)
		if err != nil {
			return fmt.Errorf("saving images: %w", err)
		}
		aw.file("manifest.json", manifest)
		aw.file("repositories", repositories)
	}
	aw.file(ocispec.ImageLayoutFile, []byte(`{"imageLayoutVersion":"`+ocispec.ImageLayoutVersion+`"}`))
	if err := aw.close(); err != nil {
		return fmt.Errorf("saving images: %w", err)
	}
	return nil
}

// saveList resolves refs to images (each once), leases their layers and
// checks that the images are still there once the lease holds.
func (d *Service) saveList(ctx context.Context, refs []string) ([]*savedImage, error) {
	var out []*savedImage
	byID := map[digest.Digest]*savedImage{}
	for _, ref := range refs {
		img, err := d.store.Image(ctx, ref)
		if err != nil {
			return nil, err
		}
		si, ok := byID[img.ID]
		if !ok {
			si = &savedImage{img: img}
			byID[img.ID] = si
			out = append(out, si)
		}
		if n, err := image.NormalizeName(ref); err == nil && slices.Contains(img.Names, n) && !slices.Contains(si.names, n) {
			si.names = append(si.names, n)
		}
		d.store.Lease(ctx, img.Layers...)
	}
	for _, si := range out {
		if _, err := d.store.Image(ctx, si.img.ID.String()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// describe makes the config and OCI manifest of si from its layers'
// exported descriptors.
func (si *savedImage) describe(byLayer map[digest.Digest]ocispec.Descriptor) error {
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Layers: []ocispec.Descriptor{}}
	m.SchemaVersion = 2
	diffIDs := make([]digest.Digest, len(si.img.Layers))
	for i, l := range si.img.Layers {
		desc := byLayer[l]
		diffIDs[i] = desc.Digest
		m.Layers = append(m.Layers, desc)
	}
	config, configDigest, err := exportConfig(si.img, diffIDs)
	if err != nil {
		return err
	}
	si.config = config
	m.Config = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: configDigest, Size: int64(len(config))}
	if si.manifest, err = json.Marshal(m); err != nil {
		return fmt.Errorf("encoding manifest: %w", err)
	}
	return nil
}

// ociIndex is index.json: one entry per name of each image (one without
// a name for an image saved by id), named the way containerd and podman
// read it.
func ociIndex(images []*savedImage) ([]byte, error) {
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{}}
	idx.SchemaVersion = 2
	for _, si := range images {
		desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(si.manifest), Size: int64(len(si.manifest))}
		if len(si.names) == 0 {
			idx.Manifests = append(idx.Manifests, desc)
		}
		for _, n := range si.names {
			full, err := canonicalName(n)
			if err != nil {
				return nil, err
			}
			named := desc
			named.Annotations = map[string]string{annotationContainerdName: full, annotationRefName: full}
			idx.Manifests = append(idx.Manifests, named)
		}
	}
	return json.Marshal(idx)
}

// dockerManifest is manifest.json and repositories of a docker-archive.
func dockerManifest(images []*savedImage, byLayer map[digest.Digest]ocispec.Descriptor) ([]byte, []byte, error) {
	entries := []dockerManifestEntry{}
	repos := map[string]map[string]string{}
	for _, si := range images {
		e := dockerManifestEntry{Config: blobPath(digest.FromBytes(si.config)), RepoTags: si.names, Layers: []string{}}
		for _, l := range si.img.Layers {
			e.Layers = append(e.Layers, blobPath(byLayer[l].Digest))
		}
		entries = append(entries, e)
		for _, n := range si.names {
			i := strings.LastIndexByte(n, ':')
			if repos[n[:i]] == nil {
				repos[n[:i]] = map[string]string{}
			}
			repos[n[:i]][n[i+1:]] = si.img.ID.Encoded()
		}
	}
	manifest, err := json.Marshal(entries)
	if err != nil {
		return nil, nil, err
	}
	repositories, err := json.Marshal(repos)
	return manifest, repositories, err
}

func blobPath(d digest.Digest) string { return "blobs/" + d.Algorithm().String() + "/" + d.Encoded() }

// archiveWriter writes tar entries with fixed metadata (root, epoch), so
// equal images give equal archives; the first error sticks.
type archiveWriter struct {
	tw  *tar.Writer
	err error
}

func (a *archiveWriter) header(name string, typ byte, mode, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: typ, Mode: mode, Size: size, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
}

func (a *archiveWriter) dir(name string) {
	if a.err == nil {
		a.err = a.tw.WriteHeader(a.header(name, tar.TypeDir, 0o755, 0))
	}
}

func (a *archiveWriter) file(name string, data []byte) {
	a.stream(name, int64(len(data)), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func (a *archiveWriter) stream(name string, size int64, write func(io.Writer) error) {
	if a.err != nil {
		return
	}
	if a.err = a.tw.WriteHeader(a.header(name, tar.TypeReg, 0o644, size)); a.err != nil {
		return
	}
	if a.err = write(a.tw); a.err != nil {
		a.err = fmt.Errorf("writing %s: %w", name, a.err)
	}
}

func (a *archiveWriter) close() error {
	if a.err != nil {
		return a.err
	}
	return a.tw.Close()
}
