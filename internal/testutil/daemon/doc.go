// Package daemon runs the daemon under test for end-to-end tests: the
// real container-runtimed binary on a temporary root, exec root and
// socket, driven through the real CLI binary as a user drives it.
//
// A test package calls Main from its TestMain, which builds the three
// binaries once (or uses the prebuilt ones in $CRT_E2E_BIN, for instance
// ./bin after `make build`). Each test then starts its own daemon with
// New. When the test ends, every container is removed, the daemon is
// stopped, and the test fails if anything is left: mounts under the
// daemon's directories, cgroups of its containers, state directories,
// monitor processes, veths on its bridge. What leaked is then removed, so
// that one failing test does not disturb the next.
//
// Each daemon gets its own bridge, subnet and nftables table (named after
// the test process's pid), removed at the end, so that tests never touch
// an installed daemon's network. The Debian base image (Base) comes from
// the debootstrap cache shared with the image and build tests
// ($CRT_TEST_CACHE, default /var/cache/container-runtime-test), so only
// the first run on a machine downloads it; Busybox imports an image made
// from /bin/busybox in a second.
//
// Everything here needs root; New requires it (testutil.RequireRoot).
package daemon
