// Package network holds the end-to-end tests of container networking:
// a real container-runtimed (internal/testutil/daemon) with a bridge,
// subnet, address pool and nftables table of its own (so that an
// installed daemon is not disturbed), driven through the real CLI and the
// client package. Every packet stays on this
// machine: servers run on the bridge's host side, in containers, or in a
// network namespace the tests create to stand for another host.
//
// The tests need root: without it they skip, and fail under CI. They
// build the binaries and a static helper (testdata/netpeer) first; the
// image is busybox-static's root filesystem plus that helper.
//
// BenchmarkRunBridgeVsNone measures `run --rm --network bridge IMAGE
// /bin/true` against `--network none` through the client package and
// reports the difference.
package network
