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
// host uid 0 reads as the first host id of the container's range
// (usernspool.go), the host id of the container's root. The upper and
// work directories belong to that id (see Create).

// ensureTraversable lets the container's root (host id hostID, an
// unprivileged one) reach its root file system and /etc files in dir, the
// container's directory under root: the init resolves them from inside
// the user namespace. dir gets the group hostID and mode 0710 (search,
// not listing), never o+x: other host users, the other containers' roots
// included, must not reach a container's setuid files (privdir). The
// directories from root down to dir's parent are shared by all
// containers: they get the group poolGID (the pool's first range) and
// 0710, and an ACL entry that lets hostID search them. The ancestors of
// root must be searchable by others, as /var/lib is.
func ensureTraversable(root, dir string, hostID, poolGID uint32) error {
	root, dir = filepath.Clean(root), filepath.Clean(dir)
	rel, err := filepath.Rel(root, dir)
	if err != nil || !filepath.IsLocal(rel) || rel == "." {
		return fmt.Errorf("user namespace: %s is not under %s", dir, root)
	}
	if err := privdir.AllowGroupSearch(dir, int(hostID)); err != nil {
		return fmt.Errorf("user namespace: letting the container's root reach %s: %w", dir, err)
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) { // dir is below root: d reaches it
		if err := privdir.AllowGroupSearch(d, int(poolGID)); err != nil {
			return fmt.Errorf("user namespace: letting the container's root reach %s: %w", dir, err)
		}
		if hostID != poolGID {
			if err := privdir.AllowUserSearch(d, int(hostID)); err != nil {
				return fmt.Errorf("user namespace: letting the container's root reach %s: %w", dir, err)
			}
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
