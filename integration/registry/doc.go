// Package registry holds the end-to-end tests of image distribution: a
// real container-runtimed (internal/testutil/daemon: temporary root, its
// own bridge, subnet and nftables table) driven through the real CLI
// against go-containerregistry's registry served on 127.0.0.1 inside the
// test process. Images go through
// push, rmi, pull, run; save, rmi, load, run; a Dockerfile whose FROM names
// the registry; login with basic auth, right and wrong.
//
// The tests need root and busybox-static: without them they skip, and
// fail under CI (see internal/testutil). Nothing leaves the machine:
// every registry listens on 127.0.0.1.
package registry
