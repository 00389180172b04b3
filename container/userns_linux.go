package container

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/privdir"
)

// A container with a private user namespace has its overlay stacked on
// idmapped mounts of the layers (snapshot.MountIdmapped), through which
// host uid 0 reads as usernsHostID, the host id of the container's root.
// The upper and work directories belong to usernsHostID (see Create).

// ensureTraversable lets the container's root (an unprivileged host id)
// reach its root file system and /etc files in dir, the container's
// directory under root: the init resolves them from inside the user
// namespace. The directories from root down to dir get the group
// usernsHostID and mode 0710 (search, not listing), never o+x: other host
// users must not reach a container's setuid files (privdir). The
// ancestors of root must be searchable by others, as /var/lib is.
func ensureTraversable(root, dir string) error {
	root, dir = filepath.Clean(root), filepath.Clean(dir)
	rel, err := filepath.Rel(root, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return fmt.Errorf("user namespace: %s is not under %s", dir, root)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if err := privdir.AllowGroupSearch(d, usernsHostID); err != nil {
			return fmt.Errorf("user namespace: letting the container's root reach %s: %w", dir, err)
		}
		if d == root {
			break
		}
	}
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("user namespace: the container's root cannot reach %s: %s must be searchable by others (chmod o+x): %w", root, d, errdefs.ErrConflict)
		}
		if d == "/" {
			return nil
		}
	}
}
