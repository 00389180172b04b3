package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// StartupCommandsLabel is the config label that carries an image's startup
// commands (JSON, a list of argv lists), so that they survive export and
// save like the rest of the config.
const StartupCommandsLabel = "org.container-runtime.startup-commands"

// Image is a registered image.
type Image struct {
	// ID is the sha256 of the canonical config JSON.
	ID digest.Digest
	// Names are the "name:tag" references pointing at the image, sorted;
	// none for a dangling image.
	Names []string
	// Layers are the layer DiffIDs, bottom first (Config.RootFS.DiffIDs).
	Layers []digest.Digest
	// Config is the OCI image config.
	Config ocispec.Image
	// StartupCommands run, in order, before the target process at every
	// start of a container of the image (the seed's ENTRYPOINT); an image
	// inherits its parent's first. Mirrored in StartupCommandsLabel.
	StartupCommands [][]string
	// Healthcheck is Docker's config.Healthcheck (HEALTHCHECK), which
	// ocispec.Image cannot hold; nil when the image has none.
	Healthcheck *Healthcheck
	// Shell is Docker's config.Shell (SHELL), which ocispec.Image cannot
	// hold either: what runs the shell form of commands in the image and
	// in images built FROM it; nil for /bin/sh -c.
	Shell []string
	// Created is Config.Created.
	Created time.Time
	// Size is the sum of the layer sizes.
	Size int64
}

// CreateImage registers img and points names at it, in one transaction. The
// ID is computed from the config, completed from img: RootFS from Layers,
// Created (now when zero; Config.Created otherwise), OS and architecture of
// this machine when unset, and StartupCommands into StartupCommandsLabel
// (when StartupCommands is nil the label, if any, is kept and decoded
// instead). All layers must be committed (ErrNotFound otherwise). A name that
// pointed at another image moves; an image left without names stays,
// dangling, as in Docker. Registering an identical config again only moves
// the names.
func (s *Store) CreateImage(ctx context.Context, img Image, names ...string) (Image, error) {
	if err := ctx.Err(); err != nil {
		return Image{}, err
	}
	refs := make([]string, 0, len(names))
	for _, n := range names {
		r, err := NormalizeName(n)
		if err != nil {
			return Image{}, fmt.Errorf("creating image: %w", err)
		}
		refs = append(refs, r)
	}
	raw, err := canonicalConfig(img)
	if err != nil {
		return Image{}, fmt.Errorf("creating image: %w", err)
	}
	id := digest.FromBytes(raw)
	var out Image
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, l := range img.Layers {
			if _, err := getLayer(tx, l); err != nil {
				return err
			}
		}
		if err := bucket(tx, bucketImages).Put([]byte(id), raw); err != nil {
			return err
		}
		for _, r := range refs {
			if err := bucket(tx, bucketNames).Put([]byte(r), []byte(id)); err != nil {
				return err
			}
		}
		var err error
		out, err = loadImage(tx, id)
		return err
	})
	if err != nil {
		return Image{}, fmt.Errorf("creating image %s: %w", id, err)
	}
	return out, nil
}

// canonicalConfig completes img's config and encodes it. encoding/json
// writes struct fields in declaration order and map keys sorted, so equal
// configs give equal bytes.
func canonicalConfig(img Image) ([]byte, error) {
	cfg := img.Config
	cfg.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: slices.Clone(img.Layers)}
	if cfg.RootFS.DiffIDs == nil {
		cfg.RootFS.DiffIDs = []digest.Digest{}
	}
	created := img.Created
	if created.IsZero() {
		if cfg.Created != nil {
			created = *cfg.Created
		} else {
			created = time.Now()
		}
	}
	created = created.UTC()
	cfg.Created = &created
	if cfg.OS == "" {
		cfg.OS = "linux"
	}
	if cfg.Architecture == "" {
		cfg.Architecture = runtime.GOARCH
	}
	if img.StartupCommands != nil {
		cfg.Config.Labels = maps.Clone(cfg.Config.Labels)
		if len(img.StartupCommands) == 0 {
			delete(cfg.Config.Labels, StartupCommandsLabel)
		} else {
			b, err := json.Marshal(img.StartupCommands)
			if err != nil {
				return nil, fmt.Errorf("encoding startup commands: %w", err)
			}
			if cfg.Config.Labels == nil {
				cfg.Config.Labels = map[string]string{}
			}
			cfg.Config.Labels[StartupCommandsLabel] = string(b)
		}
		if len(cfg.Config.Labels) == 0 {
			cfg.Config.Labels = nil
		}
	}
	return MarshalConfig(cfg, img.Extensions())
}

// Extensions returns the members of img's Docker config that
// ocispec.Image cannot hold.
func (img Image) Extensions() Extensions {
	return Extensions{Healthcheck: img.Healthcheck, Shell: img.Shell}
}

// decodeImage builds an Image (without Names and Size) from its stored
// config.
func decodeImage(id digest.Digest, raw []byte) (Image, error) {
	img := Image{ID: id}
	if err := json.Unmarshal(raw, &img.Config); err != nil {
		return img, fmt.Errorf("decoding image config %s: %w", id, err)
	}
	img.Layers = img.Config.RootFS.DiffIDs
	if img.Config.Created != nil {
		img.Created = *img.Config.Created
	}
	// Stored configs are MarshalConfig's: the fields are spelt as Docker
	// does, so most images skip a second decoding.
	if bytes.Contains(raw, []byte(`"Healthcheck"`)) || bytes.Contains(raw, []byte(`"Shell"`)) {
		ext, err := ExtensionsOf(raw)
		if err != nil {
			return img, fmt.Errorf("image %s: %w", id, err)
		}
		img.Healthcheck, img.Shell = ext.Healthcheck, ext.Shell
	}
	if v, ok := img.Config.Config.Labels[StartupCommandsLabel]; ok {
		if err := json.Unmarshal([]byte(v), &img.StartupCommands); err != nil {
			return img, fmt.Errorf("decoding startup commands of image %s: %w: %w", id, errdefs.ErrInvalidArgument, err)
		}
	}
	return img, nil
}

// loadImage reads a complete Image (names and size included).
func loadImage(tx *bolt.Tx, id digest.Digest) (Image, error) {
	raw := bucket(tx, bucketImages).Get([]byte(id))
	if raw == nil {
		return Image{}, fmt.Errorf("image %s: %w", id, errdefs.ErrNotFound)
	}
	img, err := decodeImage(id, raw)
	if err != nil {
		return img, err
	}
	img.Names = namesOf(tx)[id]
	for _, l := range img.Layers {
		r, err := getLayer(tx, l)
		if err != nil {
			return img, fmt.Errorf("image %s: %w", id, err)
		}
		img.Size += r.Size
	}
	return img, nil
}

// namesOf maps image ids to their names (sorted).
func namesOf(tx *bolt.Tx) map[digest.Digest][]string {
	out := map[digest.Digest][]string{}
	// bbolt iterates keys in byte order, so each list comes out sorted.
	_ = bucket(tx, bucketNames).ForEach(func(k, v []byte) error {
		id := digest.Digest(v)
		out[id] = append(out[id], string(k))
		return nil
	})
	return out
}
