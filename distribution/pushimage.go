package distribution

import (
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/container-runtime/container-runtime/errdefs"
)

// pushImage is an image ready to push, as go-containerregistry's remote
// package reads it (partial.CompressedImageCore): config and manifest
// bytes, and layers compressed into temporary files.
type pushImage struct {
	config   []byte
	manifest []byte
	layers   map[v1.Hash]*pushLayer
}

func (p *pushImage) RawConfigFile() ([]byte, error)      { return p.config, nil }
func (p *pushImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (p *pushImage) RawManifest() ([]byte, error)        { return p.manifest, nil }

func (p *pushImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := p.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("blob %s: %w: not part of the image being pushed", h, errdefs.ErrNotFound)
}

// pushLayer is one compressed layer. path is empty when the registry has
// the blob already and nothing was compressed.
type pushLayer struct {
	digest v1.Hash
	size   int64
	path   string
	report func(Progress)
}

func (l *pushLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *pushLayer) Size() (int64, error)                { return l.size, nil }
func (l *pushLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

// Compressed opens the compressed file; the remote package may open it
// more than once (retries).
func (l *pushLayer) Compressed() (io.ReadCloser, error) {
	if l.path == "" {
		return nil, fmt.Errorf("layer %s: %w: the registry had it when the push started and no longer has it", l.digest, errdefs.ErrConflict)
	}
	f, err := os.Open(l.path)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.digest, err)
	}
	pr := &progressReader{r: f, report: l.report, p: Progress{ID: l.digest.Hex[:12], Status: StatusPushing, Total: l.size}}
	return struct {
		io.Reader
		io.Closer
	}{pr, f}, nil
}

// partialImage completes pi into a v1.Image.
func partialImage(pi *pushImage) (v1.Image, error) { return partial.CompressedToImage(pi) }
