package image

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Tag points name at the image ref resolves to, moving it from any image it
// pointed at (which stays, dangling, if that was its last name). A
// Docker Hub name is kept in its familiar form, as Docker keeps it
// ("docker.io/library/app:1" is "app:1").
func (s *Store) Tag(ctx context.Context, ref, name string) error {
	n, err := NormalizeName(name)
	if err != nil {
		return fmt.Errorf("tagging %q: %w", ref, err)
	}
	n = familiarName(n)
	err = s.db.Update(func(tx *bolt.Tx) error {
		id, _, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		return bucket(tx, bucketNames).Put([]byte(n), []byte(id))
	})
	if err != nil {
		return fmt.Errorf("tagging %q as %s: %w", ref, n, err)
	}
	return nil
}

// Remove removes a name or an image, as docker rmi does, and reports what it
// did ("Untagged: name:tag", "Deleted: sha256:..."):
//
//   - a name of an image that has other names is only untagged;
//   - the last name, or an id, deletes the image; by id, an image with
//     several names is refused (ErrConflict) unless force untags them all;
//   - an image a container uses (InUse) is refused (ErrConflict); with
//     force its names go but the image stays, dangling, so the container
//     keeps its layers.
//
// Layers are not deleted here: GC frees those no image references.
func (s *Store) Remove(ctx context.Context, ref string, force bool) ([]string, error) {
	// InUse belongs to the caller and may take its own locks: ask it
	// outside the database transaction, then make sure the reference still
	// means the same image.
	var id digest.Digest
	if err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		id, _, err = resolve(tx, ref)
		return err
	}); err != nil {
		return nil, fmt.Errorf("removing image: %w", err)
	}
	inUse := s.InUse != nil && s.InUse(id)

	var report []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		cur, byName, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		if cur != id {
			return fmt.Errorf("%w: %q changed to another image meanwhile", errdefs.ErrConflict, ref)
		}
		names := namesOf(tx)[id]
		nb := bucket(tx, bucketNames)
		if byName != "" && len(names) > 1 {
			report = append(report, "Untagged: "+byName)
			return nb.Delete([]byte(byName))
		}
		if byName == "" && len(names) > 1 && !force {
			return fmt.Errorf("%w: image %s has several names %v; remove them by name, or force", errdefs.ErrConflict, id.Encoded()[:12], names)
		}
		if inUse && !force {
			return fmt.Errorf("%w: image %s is used by a container; stop and remove it, or force", errdefs.ErrConflict, id.Encoded()[:12])
		}
		for _, n := range names {
			if err := nb.Delete([]byte(n)); err != nil {
				return err
			}
			report = append(report, "Untagged: "+n)
		}
		if inUse {
			return nil
		}
		report = append(report, "Deleted: "+id.String())
		return bucket(tx, bucketImages).Delete([]byte(id))
	})
	if err != nil {
		return nil, fmt.Errorf("removing image %q: %w", ref, err)
	}
	return report, nil
}
