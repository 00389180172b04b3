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
// Needs root and these Debian packages (scripts/deps-test-debian must
// install containernetworking-plugins; the others are there already):
//
//	containerd (1.6, with its CRI plugin; gives containerd-shim-runc-v2 and ctr)
//	runc (the baseline handler for critest)
//	containernetworking-plugins (bridge, host-local, loopback in /usr/lib/cni)
//	busybox-static, iproute2, tar
//
// and go with the Go module proxy, to build crictl and critest from
// sigs.k8s.io/cri-tools at criToolsVersion once into criToolsCache (about
// six minutes the first time). TestPod takes about 10 s, TestCritest
// about 6 minutes (critest's suites, once per handler).
//
// Under CI a missing one fails the test (testutil.Missing).
package kubernetes
