package image

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// minIDPrefix is the shortest id prefix a reference may use.
const minIDPrefix = 4

// Image finds an image by reference: "name" (tag latest), "name:tag" (also
// in Docker's and Podman's longer forms of a local name: see
// nameCandidates), a full
// id "sha256:<hex>", or a unique prefix of at least four hex digits, with or
// without "sha256:". It fails with ErrNotFound, or ErrInvalidArgument for an
// ambiguous prefix.
func (s *Store) Image(ctx context.Context, ref string) (Image, error) {
	var img Image
	err := s.db.View(func(tx *bolt.Tx) error {
		id, _, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		img, err = loadImage(tx, id)
		return err
	})
	return img, err
}

// Images lists all images, newest first.
func (s *Store) Images(ctx context.Context) ([]Image, error) {
	var out []Image
	err := s.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketImages).ForEach(func(k, _ []byte) error {
			img, err := loadImage(tx, digest.Digest(k))
			if err != nil {
				return err
			}
			out = append(out, img)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	slices.SortFunc(out, func(a, b Image) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// History returns the history of the image's config, oldest first.
func (s *Store) History(ctx context.Context, ref string) ([]ocispec.History, error) {
	img, err := s.Image(ctx, ref)
	if err != nil {
		return nil, err
	}
	return img.Config.History, nil
}

// resolve turns a reference into an image id. byName is the normalized name
// when the reference resolved as a name.
func resolve(tx *bolt.Tx, ref string) (id digest.Digest, byName string, err error) {
	if ref == "" {
		return "", "", fmt.Errorf("image reference: %w: empty", errdefs.ErrInvalidArgument)
	}
	if hex, ok := strings.CutPrefix(ref, string(digest.SHA256)+":"); ok {
		return resolvePrefix(tx, ref, hex)
	}
	if name, err := NormalizeName(ref); err == nil {
		for _, n := range nameCandidates(name) {
			if v := bucket(tx, bucketNames).Get([]byte(n)); v != nil {
				return digest.Digest(v), n, nil
			}
		}
	}
	if isHex(ref) && len(ref) >= minIDPrefix {
		return resolvePrefix(tx, ref, ref)
	}
	return "", "", fmt.Errorf("image %q: %w", ref, errdefs.ErrNotFound)
}

// resolvePrefix finds the one image whose id starts with sha256:<hex>.
func resolvePrefix(tx *bolt.Tx, ref, hex string) (digest.Digest, string, error) {
	if len(hex) < minIDPrefix || !isHex(hex) {
		return "", "", fmt.Errorf("image %q: %w: an id prefix needs at least %d hex digits", ref, errdefs.ErrInvalidArgument, minIDPrefix)
	}
	prefix := []byte(string(digest.SHA256) + ":" + hex)
	c := bucket(tx, bucketImages).Cursor()
	var found digest.Digest
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if found != "" {
			return "", "", fmt.Errorf("image %q: %w: the id prefix is ambiguous", ref, errdefs.ErrInvalidArgument)
		}
		found = digest.Digest(k)
	}
	if found == "" {
		return "", "", fmt.Errorf("image %q: %w", ref, errdefs.ErrNotFound)
	}
	return found, "", nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}
