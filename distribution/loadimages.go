package distribution

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// pendingImage is an image of an archive, checked and ready to register.
type pendingImage struct {
	key   string // what identifies it in the archive (config or manifest path)
	cfg   ocispec.Image
	names []string
	// ext are the config's Docker Healthcheck and Shell, which cfg cannot
	// hold.
	ext image.Extensions
}

// images reads the archive's image list: manifest.json when there is one
// (docker-archive), index.json otherwise (OCI layout).
func (l *loader) images() ([]*pendingImage, error) {
	if _, ok := l.json["manifest.json"]; ok {
		return l.dockerImages()
	}
	if _, ok := l.json["index.json"]; ok {
		return l.ociImages()
	}
	return nil, fmt.Errorf("%w: not an image archive: no manifest.json (docker-archive) or index.json (OCI layout)", errdefs.ErrInvalidArgument)
}

var hexJSONRE = regexp.MustCompile(`^([a-f0-9]{64})\.json$`)

func (l *loader) dockerImages() ([]*pendingImage, error) {
	var entries []dockerManifestEntry
	if err := json.Unmarshal(l.json["manifest.json"], &entries); err != nil {
		return nil, fmt.Errorf("manifest.json: %w: %w", errdefs.ErrInvalidArgument, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("manifest.json: %w: it lists no image", errdefs.ErrInvalidArgument)
	}
	var out []*pendingImage
	for _, e := range entries {
		raw, err := l.jsonFile(e.Config)
		if err != nil {
			return nil, fmt.Errorf("manifest.json: config: %w", err)
		}
		// Legacy archives name the config after its digest; blobs were
		// checked as they were read.
		if m := hexJSONRE.FindStringSubmatch(path.Base(e.Config)); m != nil {
			if got := digest.FromBytes(raw); got.Encoded() != m[1] {
				return nil, fmt.Errorf("config %s: %w: digest mismatch: the content's digest is %s", e.Config, errdefs.ErrInvalidArgument, got)
			}
		}
		p := &pendingImage{key: e.Config}
		if p.cfg, err = decodeConfigFor(raw, len(e.Layers)); err != nil {
			return nil, fmt.Errorf("config %s: %w", e.Config, err)
		}
		if p.ext, err = image.ExtensionsOf(raw); err != nil {
			return nil, fmt.Errorf("config %s: %w", e.Config, err)
		}
		for i, lp := range e.Layers {
			id, err := l.layer(lp)
			if err != nil {
				return nil, fmt.Errorf("manifest.json: %w", err)
			}
			if id != p.cfg.RootFS.DiffIDs[i] {
				return nil, fmt.Errorf("layer %s: %w: its digest is %s, the config says %s", lp, errdefs.ErrInvalidArgument, id, p.cfg.RootFS.DiffIDs[i])
			}
		}
		for _, t := range e.RepoTags {
			n, err := familiarName(t)
			if err != nil {
				return nil, fmt.Errorf("manifest.json: %w", err)
			}
			p.names = append(p.names, n)
		}
		out = append(out, p)
	}
	return out, nil
}

func (l *loader) ociImages() ([]*pendingImage, error) {
	var idx ocispec.Index
	if err := json.Unmarshal(l.json["index.json"], &idx); err != nil {
		return nil, fmt.Errorf("index.json: %w: %w", errdefs.ErrInvalidArgument, err)
	}
	host := HostPlatform()
	var out []*pendingImage
	byKey := map[string]*pendingImage{}
	for _, desc := range idx.Manifests {
		if desc.Platform != nil && !host.matches(desc.Platform) {
			continue
		}
		p, err := l.ociImage(desc, host, 0)
		if err != nil {
			return nil, err
		}
		if prev, ok := byKey[p.key]; ok {
			p = prev
		} else {
			byKey[p.key] = p
			out = append(out, p)
		}
		if n := ociName(desc.Annotations); n != "" {
			fam, err := familiarName(n)
			if err != nil {
				return nil, fmt.Errorf("index.json: %w", err)
			}
			p.names = append(p.names, fam)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("index.json: %w: no image for %s", errdefs.ErrInvalidArgument, host)
	}
	return out, nil
}

// ociName is the name an index entry gives its image: containerd's
// annotation, or the OCI ref.name when it is a full name (a bare tag, as
// Docker writes next to containerd's, names no repository).
func ociName(a map[string]string) string {
	if n := a[annotationContainerdName]; n != "" {
		return n
	}
	if n := a[annotationRefName]; strings.ContainsAny(n, "/:") {
		return n
	}
	return ""
}

// ociImage resolves an index entry to an image: a manifest, or an index
// (one level deep) from which the platform's manifest is taken.
func (l *loader) ociImage(desc ocispec.Descriptor, p Platform, depth int) (*pendingImage, error) {
	raw, err := l.blob(desc)
	if err != nil {
		return nil, err
	}
	if desc.MediaType == ocispec.MediaTypeImageIndex || desc.MediaType == mediaTypeDockerList {
		if depth > 0 {
			return nil, fmt.Errorf("index %s: %w: nested more than one level", desc.Digest, errdefs.ErrInvalidArgument)
		}
		var idx ocispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return nil, fmt.Errorf("index %s: %w: %w", desc.Digest, errdefs.ErrInvalidArgument, err)
		}
		m, err := selectManifest(idx, p)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", desc.Digest, err)
		}
		return l.ociImage(m, p, depth+1)
	}
	m, err := decodeManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	cfgRaw, err := l.blob(m.Config)
	if err != nil {
		return nil, err
	}
	pi := &pendingImage{key: desc.Digest.String()}
	if pi.cfg, err = decodeConfig(cfgRaw, m.Layers); err != nil {
		return nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	if pi.ext, err = image.ExtensionsOf(cfgRaw); err != nil {
		return nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	for i, ld := range m.Layers {
		id, err := l.layer(blobPath(ld.Digest))
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
		}
		if id != pi.cfg.RootFS.DiffIDs[i] {
			return nil, fmt.Errorf("layer %s: %w: its uncompressed digest is %s, the config says %s", ld.Digest, errdefs.ErrInvalidArgument, id, pi.cfg.RootFS.DiffIDs[i])
		}
	}
	return pi, nil
}

// blob returns a JSON blob of the layout, checked against desc.
func (l *loader) blob(desc ocispec.Descriptor) ([]byte, error) {
	if err := checkDescriptor(desc); err != nil {
		return nil, err
	}
	raw, err := l.jsonFile(blobPath(desc.Digest))
	if err != nil {
		return nil, err
	}
	if err := verifyBytes(raw, desc); err != nil {
		return nil, fmt.Errorf("blob %s: %w", desc.Digest, err)
	}
	return raw, nil
}

// decodeConfigFor is decodeConfig for a config with n layers.
func decodeConfigFor(raw []byte, n int) (ocispec.Image, error) {
	return decodeConfig(raw, make([]ocispec.Descriptor, n))
}
