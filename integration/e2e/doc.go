// Package e2e holds the end-to-end tests of container-runtime: each test
// starts the real daemon binary (container-runtimed) on a temporary root,
// exec root and socket, waits until it answers, and drives the real CLI
// binary (container-runtime) the way a user does (the harness is
// internal/testutil/daemon): the seed's command
// sequence, the seed's examples, many clients at once, the same-name race,
// a daemon killed with kill -9 (with containers running, and in the middle
// of starts) and restarted, graceful shutdown with streams open, a stalled
// client, stop of a container that ignores SIGTERM, a pty session, bad API
// requests, exec/logs/events/inspect/trace, and the install scripts. After
// every test its containers are removed, its daemon stopped, and nothing
// may be left: mounts under its directories, cgroups of its containers,
// state directories, monitor processes, veths on its bridge.
//
// Each daemon gets its own bridge, subnet and nftables table (named after
// the test process's pid), removed at the end, so that tests never touch
// an installed daemon's network.
//
// The tests need root (they skip otherwise) and build the two binaries
// once, unless $CRT_E2E_BIN names a directory holding prebuilt ones (for
// instance ./bin after `make build`). The Debian base image comes from the
// debootstrap cache shared with the image and build tests
// ($CRT_TEST_CACHE, default /var/cache/container-runtime-test), so only
// the first run on a machine downloads it; everything else runs on a
// busybox image imported from /bin/busybox. -short skips the tests that
// need the Debian base or the network.
package e2e
