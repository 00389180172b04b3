// Package conformance runs the OCI runtime-tools validation suite against
// container-runtime-oci (`make conformance`, as root).
//
// The suite is built from the Go module proxy at the version pinned in
// tools/go.mod (a module of its own, so its 2018 dependencies stay out of
// the engine's go.mod): the runtimetest binary, which runs inside a
// busybox rootfs and checks the container from the inside, and one TAP
// program per validation/<name> directory, each driving the runtime named
// by $RUNTIME through create, start, state, kill and delete.
//
// A program fails when it exits non-zero, prints a "not ok" line, or
// (poststart_fail, poststop_fail: programs that plan no test point)
// prints an "error" diagnostic. The test fails on any failure outside
// allowlist.go, where each entry is a failure this host causes or a check
// of an older spec than the runtime implements, with its reason; an
// allowlisted failure that starts passing is logged, not failed.
// docs/CONFORMANCE.md has the results next to runc's and crun's.
//
// The test files carry the build tag "conformance" so that `go test ./...`
// does not spend minutes on them; `make conformance` sets it.
package conformance
