package image

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"github.com/container-runtime/container-runtime/internal/quarantine"
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
//
// A leftover that cannot be removed (a process nobody could kill still
// writes into it) is moved to <root>/quarantine and logged: recovery
// never refuses to start because of one.
func (s *Store) recover(ctx context.Context) error {
	if err := mounttree.Unmount(s.tmpDir()); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	if err := s.removeEntries(ctx, s.tmpDir(), func(string) bool { return true }); err != nil {
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
	if err := s.removeEntries(ctx, s.layersDir(), func(name string) bool { _, ok := recorded[name]; return !ok }); err != nil {
		return fmt.Errorf("recovering image store: %w", err)
	}
	if err := s.removeEntries(ctx, s.linksDir(), func(name string) bool { return !links[name] }); err != nil {
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

// removeEntries removes the entries of dir for which remove says so. An
// entry that cannot be removed is quarantined instead; only when that
// fails too does recovery fail.
func (s *Store) removeEntries(ctx context.Context, dir string, remove func(name string) bool) error {
	log := logctx.From(ctx)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if !remove(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		rerr := mounttree.RemoveAll(p)
		if rerr == nil {
			continue
		}
		dst, qerr := quarantine.Move(s.root, p)
		if qerr != nil {
			return fmt.Errorf("%w; and then %w", rerr, qerr)
		}
		log.Warn("a crash leftover could not be removed; moved to quarantine", "path", p, "quarantine", dst, "error", rerr)
	}
	return nil
}
