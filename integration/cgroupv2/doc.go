// Package cgroupv2 runs the cgroup tests where this host cannot: in a
// cgroup2-only guest. The host test builds an initramfs (busybox-static,
// container-runtime-oci with the shared libraries it links, the guest
// test binary of package guest and a busybox rootfs for containers),
// boots Debian's kernel on it under QEMU, and reads the guest's `go test
// -v` transcript from the serial console.
//
// The initramfs is the guest's only filesystem, so no block or virtio
// driver (modules in Debian's kernel) is needed, and everything the tests
// use (cgroup2, namespaces, seccomp, the cgroup device eBPF hook) is built
// into that kernel. Archives are cached by content hash under CacheDir.
package cgroupv2
