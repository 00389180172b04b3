// Package kubernetes tests the path Kubernetes takes to
// container-runtime-oci: containerd's CRI plugin with our binary as a
// runtime handler (the runc shim, io.containerd.runc.v2, with
// BinaryName), driven by crictl and critest as the kubelet would drive it.
//
// Every test starts a private containerd (config, root, state, sockets
// and CNI configuration in a temporary directory), a CNI bridge on a
// private subnet the test picks, and imports a busybox image made from
// Debian's busybox-static offline; it stops containerd by its PID and
// removes the bridge, network namespaces, cgroups and mounts it made.
//
// Needs root and, besides scripts/deps-debian and scripts/deps-test-debian:
//
//	containerd (Debian's 1.6, with its CRI plugin), containerd-shim-runc-v2, runc
//	containernetworking-plugins (bridge and host-local in /usr/lib/cni)
//	busybox-static
//	go and the Go module proxy, to build crictl and critest from
//	sigs.k8s.io/cri-tools at criToolsVersion once into criToolsCache
//
// Under CI a missing one fails the test (testutil.Missing).
package kubernetes
