// Package healthexec runs and talks to a container's health executor: a
// small process, outside the daemon, that runs the container's health
// checks when told to and reports their results, so that a check costs
// the daemon's Go runtime one write and one read instead of a fork, a
// blocked thread and a dozen wakes.
//
// The executor is C (healthexec.c): a constructor that runs before the Go
// runtime when _CRT_HEALTHEXEC is set. Any binary that imports this
// package can be executed as one; Start does that with the sealed binary
// of an exec template (runtime.ExecTemplate), which is the daemon's own.
// healthexec.c documents the protocol.
package healthexec

// #cgo CFLAGS: -Wall -Werror -std=gnu99 -O2
import "C"

// envExecutor, set to the number of cgroup file descriptors, makes the
// binary an executor (healthexec.c).
const envExecutor = "_CRT_HEALTHEXEC"
