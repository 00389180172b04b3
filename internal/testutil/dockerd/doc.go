// Package dockerd runs a private dockerd (and the containerd it starts)
// for the tests and benchmarks that compare with Docker or drive our OCI
// runtime from it.
//
// Everything of its own lives in one directory: data root, exec root,
// pidfile, socket, config file, trust key and the client's
// configuration. It makes no bridge and no iptables rules and turns off
// IP forwarding and masquerading, so the host's network and firewall are
// left alone; Close says when the firewall changed all the same. It is
// stopped by its PID, never by name, and what its containerd makes
// outside the directory (/opt/containerd, /run/containerd/s) is removed
// when it was not there before.
//
// Start and Close return errors, for bench commands; New wraps them for
// a test: it requires root and the tools, and registers the cleanup.
package dockerd
