package main

import (
	"fmt"
	"path"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// systemdCgroupsPath handles --systemd-cgroup. Callers that set it (dockerd
// with native.cgroupdriver=systemd, containerd with SystemdCgroup=true)
// write linux.cgroupsPath as "slice:prefix:name". We do not ask systemd
// for a unit (there may be no systemd at all): the path is converted to
// the cgroupfs directory systemd would have made, and the cgroup is made
// there with cgroupfs. On a host where systemd is PID 1 it will not know
// the scope, as with runc's cgroupfs driver.
//
// "system.slice:docker:abc" becomes "/system.slice/docker-abc.scope" and
// "a-b.slice:p:n" becomes "/a.slice/a-b.slice/p-n.scope". An empty path
// stays empty (the runtime's default).
func systemdCgroupsPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	parts := strings.Split(p, ":")
	if len(parts) != 3 {
		return "", fmt.Errorf("linux.cgroupsPath %q: with --systemd-cgroup it must be slice:prefix:name: %w",
			p, errdefs.ErrInvalidArgument)
	}
	slice, prefix, name := parts[0], parts[1], parts[2]
	if slice == "" {
		slice = "system.slice"
	}
	dir, err := expandSlice(slice)
	if err != nil {
		return "", fmt.Errorf("linux.cgroupsPath %q: %w", p, err)
	}
	if name == "" || strings.Contains(name, "/") || strings.Contains(prefix, "/") {
		return "", fmt.Errorf("linux.cgroupsPath %q: name must be non-empty and neither part may hold '/': %w",
			p, errdefs.ErrInvalidArgument)
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

// expandSlice turns a slice name into its cgroup directory, as systemd
// nests slices by their dash-separated prefixes: "a-b-c.slice" lives in
// "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" is the root.
func expandSlice(slice string) (string, error) {
	if slice == "-.slice" {
		return "/", nil
	}
	base, ok := strings.CutSuffix(slice, ".slice")
	bad := !ok || base == "" || strings.Contains(slice, "/") ||
		strings.HasPrefix(base, "-") || strings.HasSuffix(base, "-") || strings.Contains(base, "--")
	if bad {
		return "", fmt.Errorf("slice %q is not a systemd slice name: %w", slice, errdefs.ErrInvalidArgument)
	}
	dir, prefix := "/", ""
	for part := range strings.SplitSeq(base, "-") {
		prefix += part
		dir = path.Join(dir, prefix+".slice")
		prefix += "-"
	}
	return dir, nil
}
