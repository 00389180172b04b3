// Package distribution holds the end-to-end tests of image exchange with
// Docker and Podman: archives our distribution package saves are loaded
// and run by a private dockerd and by podman (private storage, in a
// private mount namespace), archives they save are loaded and run by us,
// and images go both ways through a registry on 127.0.0.1.
//
// The tests need root and dockerd, docker, containerd, podman and runc;
// they skip with the reason when one is missing (CI installs them all). dockerd is private (its socket,
// data and exec roots in a temporary directory, no bridge, no iptables),
// is stopped by its PID, and the host's cgroup tree and firewall are
// checked against a baseline afterwards.
package distribution
