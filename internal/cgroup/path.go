package cgroup

import (
	"fmt"
	"path"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// defaultParent is the cgroup (relative to every hierarchy's root) under
// which a container without a cgroupsPath gets its own cgroup.
const defaultParent = "/container-runtime"

// resolvePath returns the cgroup path, relative to the root of every
// hierarchy and starting with "/", for a container with this id and
// spec.Linux.CgroupsPath:
//
//	""                      -> /container-runtime/<id>
//	"/a/b" or "a/b"         -> /a/b (a relative path is taken from the root:
//	                           we have no runtime-owned parent to nest under)
//	"slice:prefix:name"     -> /<expanded slice>/prefix-name.scope, the
//	                           directory systemd would have created, since
//	                           systemd is not PID 1 here to ask
//
// The root cgroup itself is refused: Destroy would try to remove it.
func resolvePath(id, cgroupsPath string) (string, error) {
	if cgroupsPath == "" {
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
			return "", fmt.Errorf("container id %q cannot name a cgroup: %w", id, errdefs.ErrInvalidArgument)
		}
		return defaultParent + "/" + id, nil
	}
	if slice, prefix, name, ok := splitSystemdPath(cgroupsPath); ok {
		p, err := systemdPath(slice, prefix, name)
		if err != nil {
			return "", fmt.Errorf("linux.cgroupsPath %q: %w: %w", cgroupsPath, err, errdefs.ErrInvalidArgument)
		}
		return p, nil
	}
	// Cleaning "/"+p keeps "../.." from climbing out of the hierarchy.
	p := path.Clean("/" + cgroupsPath)
	if p == "/" {
		return "", fmt.Errorf("linux.cgroupsPath %q names the root cgroup: %w", cgroupsPath, errdefs.ErrInvalidArgument)
	}
	return p, nil
}

// SystemdPath converts the systemd driver's cgroupsPath
// "slice:prefix:name" (what dockerd with native.cgroupdriver=systemd and
// containerd with SystemdCgroup=true write) to the cgroupfs path, relative
// to every hierarchy's root, that systemd would give that unit:
// "system.slice:docker:abc" is "/system.slice/docker-abc.scope" and
// "a-b.slice:p:n" is "/a.slice/a-b.slice/p-n.scope". Anything not of that
// form is ErrInvalidArgument.
func SystemdPath(cgroupsPath string) (string, error) {
	slice, prefix, name, ok := splitSystemdPath(cgroupsPath)
	if !ok {
		return "", fmt.Errorf("linux.cgroupsPath %q: a systemd cgroups path must be slice:prefix:name: %w",
			cgroupsPath, errdefs.ErrInvalidArgument)
	}
	p, err := systemdPath(slice, prefix, name)
	if err != nil {
		return "", fmt.Errorf("linux.cgroupsPath %q: %w: %w", cgroupsPath, err, errdefs.ErrInvalidArgument)
	}
	return p, nil
}

// splitSystemdPath recognises the systemd driver's "slice:prefix:name" form
// (as runc and containerd write it). A path starting with "/" is always a
// cgroupfs path, whatever it contains.
func splitSystemdPath(p string) (slice, prefix, name string, ok bool) {
	if strings.HasPrefix(p, "/") {
		return "", "", "", false
	}
	parts := strings.Split(p, ":")
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// systemdPath maps a systemd (slice, prefix, name) to the cgroupfs path
// systemd gives that unit: the slice expanded into its parents, then the
// unit, a scope "prefix-name.scope" unless name is itself a slice. An empty
// slice means "system.slice", as in runc.
func systemdPath(slice, prefix, name string) (string, error) {
	if slice == "" {
		slice = "system.slice"
	}
	if name == "" {
		return "", fmt.Errorf("empty unit name")
	}
	if strings.Contains(prefix, "/") || strings.Contains(name, "/") {
		return "", fmt.Errorf("unit prefix and name cannot contain '/'")
	}
	dir, err := expandSlice(slice)
	if err != nil {
		return "", err
	}
	unit := name
	if !strings.HasSuffix(name, ".slice") {
		unit = name + ".scope"
		if prefix != "" {
			unit = prefix + "-" + unit
		}
	}
	return path.Join(dir, unit), nil
}

// expandSlice turns a systemd slice name into its cgroup path: each "-"
// in the name opens a nested slice, so "a-b-c.slice" lives at
// /a.slice/a-b.slice/a-b-c.slice, and "-.slice" is the root.
func expandSlice(slice string) (string, error) {
	const suffix = ".slice"
	base, ok := strings.CutSuffix(slice, suffix)
	if !ok || base == "" || strings.Contains(slice, "/") {
		return "", fmt.Errorf("invalid slice name %q", slice)
	}
	if base == "-" {
		return "/", nil
	}
	var p, prefix string
	for component := range strings.SplitSeq(base, "-") {
		// "a--b.slice" and "-a.slice" are not slice names.
		if component == "" {
			return "", fmt.Errorf("invalid slice name %q", slice)
		}
		p += "/" + prefix + component + suffix
		prefix += component + "-"
	}
	return p, nil
}
