// Package guest holds the tests that package cgroupv2 runs inside its
// cgroup2-only QEMU guest: container-runtime-oci puts busybox containers
// under real cgroup v2 limits and the tests read what the kernel did
// (an OOM kill, a refused fork, cpu.max, the CPUs a process may use).
//
// The tests are built only with the cgroupv2guest tag (go test -c -tags
// cgroupv2guest), with CGO_ENABLED=0: they need no cgo, only the
// runtime's binary, and they expect the guest's layout (cgroup2 alone on
// /sys/fs/cgroup, container-runtime-oci in /usr/bin, a busybox root at
// /rootfs, at least 2 CPUs). A plain `go test ./...` compiles nothing
// here, since they cannot pass on a host with cgroup v1.
package guest
