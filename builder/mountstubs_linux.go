package builder

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// mountStub is a mount destination the image lacks: the runtime creates
// it (a directory, or an empty file for a file bind) in the step's layer,
// and top is the first of its components that did not exist.
type mountStub struct {
	dest, top string
}

// mountStubs lists the destinations of mounts that neither the layer so
// far (upper) nor the image (lowers) has, as BuildKit's stub cleaner
// does, so that they can be removed once the step ran.
func mountStubs(mounts []specs.Mount, upper string, lowers []string) []mountStub {
	view := layerView{dirs: append([]string{upper}, lowers...)}
	var stubs []mountStub
	for _, m := range mounts {
		dest := path.Clean(m.Destination)
		if _, _, err := view.lstat(dest); err == nil {
			continue
		}
		top := dest
		for p := path.Dir(dest); p != "/"; p = path.Dir(p) {
			if _, _, err := view.lstat(p); err == nil {
				break
			}
			top = p
		}
		stubs = append(stubs, mountStub{dest: dest, top: top})
	}
	return stubs
}

// removeMountStubs removes from the layer at upper each stub's
// destination and the parents made for it, up to its top, as long as
// they are empty (a directory the command filled stays, as in Docker).
// Only plain directories and empty regular files are removed; the paths
// are the layer's own (no symlink of the layer is followed: a component
// that is not a directory ends the walk).
func removeMountStubs(upper string, stubs []mountStub) error {
	for _, st := range stubs {
		if !safeLayerPath(upper, st.dest) {
			continue
		}
		for p := st.dest; ; p = path.Dir(p) {
			host := filepath.Join(upper, p)
			fi, err := os.Lstat(host)
			if err != nil {
				break
			}
			empty := fi.Mode().IsRegular() && fi.Size() == 0
			if fi.IsDir() {
				entries, err := os.ReadDir(host)
				empty = err == nil && len(entries) == 0
			}
			if !empty {
				break
			}
			if err := os.Remove(host); err != nil {
				return fmt.Errorf("removing the mount point %s from the layer: %w", p, err)
			}
			if p == st.top || p == "/" {
				break
			}
		}
	}
	return nil
}

// safeLayerPath tells whether every parent of p in the layer at upper is
// a real directory (not a symlink), so that removing p removes the
// layer's own file.
func safeLayerPath(upper, p string) bool {
	var parents []string
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		parents = append(parents, d)
	}
	for i := len(parents) - 1; i >= 0; i-- {
		fi, err := os.Lstat(filepath.Join(upper, parents[i]))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}
