package main

import "github.com/container-runtime/container-runtime/internal/cgroup"

// systemdCgroupsPath handles --systemd-cgroup. Callers that set it (dockerd
// with native.cgroupdriver=systemd, containerd with SystemdCgroup=true)
// write linux.cgroupsPath as "slice:prefix:name". We do not ask systemd
// for a unit (there may be no systemd at all): the path is converted to
// the cgroupfs directory systemd would have made (cgroup.SystemdPath), and
// the cgroup is made there with cgroupfs. On a host where systemd is PID 1
// it will not know the scope, as with runc's cgroupfs driver. An empty
// path stays empty (the runtime's default); any other path must have the
// systemd form, a cgroupfs path ("/docker/abc") included.
func systemdCgroupsPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	return cgroup.SystemdPath(p)
}
