// Package quarantine moves aside what crash recovery could not clean: a
// directory still written to by a process nobody could kill, a tree whose
// removal failed half-way. Recovery must never refuse to start because of
// a leftover, and must never delete what it does not understand; it moves
// the leftover to <root>/quarantine/<time>-<name> for an operator to look
// at, and logs where it went.
package quarantine

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Dir is the quarantine directory under a daemon root.
func Dir(root string) string { return filepath.Join(root, "quarantine") }

// Move renames path to <root>/quarantine/<UTC time>-<base name of path>
// and returns the new path. path must be on the file system of root (a
// rename never copies). The quarantine directory is 0700: what lands in
// it may hold setuid files or secrets of a container.
func Move(root, path string) (string, error) {
	dir := Dir(root)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("quarantining %s: %w", path, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("quarantining %s: %w", path, err)
	}
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	dst := filepath.Join(dir, stamp+"-"+filepath.Base(path))
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("quarantining %s: %w", path, err)
	}
	return dst, nil
}
