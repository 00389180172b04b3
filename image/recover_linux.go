package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// recover brings the disk in line with the database after a crash:
//
//   - tmp/ holds only work in progress of a previous run (staged layers,
//     layers GC was deleting): everything in it goes, after unmounting what
//     a killed debootstrap or build may have left mounted inside;
//   - a directory in layers/ that no record names was renamed into place by
//     a commit that died before recording it, or left by a GC that died
//     after deleting the record: it goes;
//   - a short-name link in l/ for no recorded layer goes, and a recorded
//     layer missing its link gets it back.
func (s *Store) recover(ctx context.Context) error {
	if err := unmountUnder(s.tmpDir()); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	if err := removeEntries(s.tmpDir(), func(string) bool { return true }); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	recorded := map[string]string{} // hex -> short link name
	err := s.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketLayers).ForEach(func(k, v []byte) error {
			var r layerRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding layer record %s: %w", k, err)
			}
			recorded[r.DiffID.Encoded()] = r.Link
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	links := map[string]bool{}
	for _, l := range recorded {
		links[l] = true
	}
	if err := removeEntries(s.layersDir(), func(name string) bool { _, ok := recorded[name]; return !ok }); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	if err := removeEntries(s.linksDir(), func(name string) bool { return !links[name] }); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	for hex, link := range recorded {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.ensureLink(hex, link); err != nil {
			return fmt.Errorf("recovering image store: %w", err)
		}
	}
	return nil
}

// ensureLink makes l/<link> point at layers/<hex>/diff.
func (s *Store) ensureLink(hex, link string) error {
	p := filepath.Join(s.linksDir(), link)
	target := filepath.Join("..", "layers", hex, "diff")
	if cur, err := os.Readlink(p); err == nil && cur == target {
		return nil
	}
	_ = os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		return fmt.Errorf("linking layer short name: %w", err)
	}
	return nil
}

// removeEntries removes the entries of dir for which remove says so.
func removeEntries(dir string, remove func(name string) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if !remove(e.Name()) {
			continue
		}
		if err := removeAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// removeAll removes p after unmounting anything mounted below it, so that a
// leftover /proc or overlay mount is never descended into.
func removeAll(p string) error {
	if err := unmountUnder(p); err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("removing %s: %w", p, err)
	}
	return nil
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(dir string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return fmt.Errorf("reading mount table: %w", err)
	}
	points := make([]string, 0, len(mounts))
	for _, m := range mounts {
		points = append(points, m.Mountpoint)
	}
	slices.SortFunc(points, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, p := range points {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("unmounting leftover %s: %w", p, &os.PathError{Op: "umount", Path: p, Err: err})
		}
	}
	return nil
}
