// Package rootfs prepares a container's root filesystem from an OCI runtime
// spec, inside the container's init process.
//
// The init process runs in a new mount namespace (and possibly new user,
// pid and cgroup namespaces) and calls, in order:
//
//	Prepare(spec, rootfs)  // "/" made rslave, rootfs bound onto itself,
//	                       // spec.Mounts mounted, /dev populated
//	(createContainer hooks)
//	PivotRoot(rootfs)      // pivot_root(2) into rootfs, old root detached
//	(sysctls, hostname)
//	Finish(spec)           // read-only and masked paths, read-only root,
//	                       // final root propagation
//
// Every mount target is resolved inside the rootfs (symlinks in the image
// cannot point a mount at the host): the path is resolved with
// github.com/cyphar/filepath-securejoin (dangling symlinks included), the
// target is created and opened with openat2(RESOLVE_IN_ROOT|
// RESOLVE_NO_MAGICLINKS) (inroot_linux.go), its path is checked to lie
// under the rootfs, and the mount is made onto /proc/self/fd/N of that
// handle, as runc does.
//
// A container without a mount namespace of its own uses BindHostRoot,
// PrepareInHostNamespace and Chroot instead (hostns_linux.go).
//
// The package also holds the defaults a Docker-like engine puts in a spec:
// DefaultMounts, DefaultDevices, DockerMaskedPaths and DockerReadonlyPaths.
package rootfs
