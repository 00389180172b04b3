// Package ocicompat holds the end-to-end tests that prove
// container-runtime-oci is a drop-in replacement for runc: a private
// containerd drives it through its runc shim (ctr run --runc-binary), a
// private dockerd through --add-runtime, and a table test runs it side by
// side with runc on one bundle and compares what go-runc parses (state,
// list and ps JSON, kill --all, delete --force and their exit codes).
//
// The tests need root and the peer binaries (containerd, ctr,
// containerd-shim-runc-v2, dockerd, docker, runc; scripts/deps-debian
// installs them) and skip with the reason when one is missing. They build
// the runtime from this module, or use the binary named by the
// CONTAINER_RUNTIME_OCI environment variable. Every daemon is private:
// its sockets, state and data live in a temporary directory, it is
// stopped by its PID, and the host's mount table, cgroup tree and
// firewall are checked against a baseline afterwards.
package ocicompat
