// Package cgroup gives the container runtime one interface over the three
// cgroup layouts a Linux host can have: legacy (v1 only), hybrid (v1
// controllers plus a cgroup2 mount at /sys/fs/cgroup/unified) and unified
// (v2 only).
//
// It is a thin layer over github.com/opencontainers/cgroups (the library runc
// uses): New turns an OCI spec's linux.resources into the library's
// cgroups.Resources (see convert_linux.go), picks the fs (v1) or fs2 (v2)
// manager for the host, and fixes around what the library does not cover on
// a hybrid host: hugetlb and linux.resources.unified entries are written to
// the cgroup2 hierarchy when the v1 controller is missing (hybrid_linux.go).
//
// The life of a container's cgroup:
//
//	m, err := cgroup.New(id, spec.Linux.CgroupsPath, spec.Linux.Resources)
//	err = m.Apply(pid)      // create, set limits, then move pid in
//	paths := m.Paths()      // save in the container's state
//	...
//	m, err = cgroup.Load(paths) // from another process (exec, delete)
//	err = m.Destroy()           // after every process in it is dead
//
// The systemd cgroup driver is not used: systemd is not PID 1 on the hosts
// this engine targets, so the systemd form of cgroupsPath
// ("slice:prefix:name") is mapped to the cgroupfs path systemd itself would
// have used.
package cgroup
