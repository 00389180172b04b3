// Package nsenter holds the C constructor that places container processes
// into their namespaces before the Go runtime starts (see nsenter.c for the
// protocol). Importing it for its side effect links the constructor into a
// binary; it does nothing unless the runtime package's parent sets
// _CRT_STAGE in the environment of a re-executed copy of that binary.
package nsenter

// #cgo CFLAGS: -Wall -Werror -std=gnu99
import "C"

// Environment variables read by the constructor.
const (
	EnvStage  = "_CRT_STAGE"
	EnvSyncFD = "_CRT_SYNCFD"
	EnvJoin   = "_CRT_JOIN"
	EnvClone  = "_CRT_CLONE"
	// EnvInit set to "1" makes the cloned process the container's minimal
	// init, which forks the container process (see reap_forever).
	EnvInit = "_CRT_INIT"
	// EnvInitBounding is the container process's capability bounding
	// set (hexadecimal, bit n = capability n), which the minimal init
	// confines itself with, as with the container's seccomp filter.
	EnvInitBounding = "_CRT_INITBOUNDING"
	// EnvCgroupFDs lists (comma-separated) descriptors of cgroup files
	// (cgroup.procs, or a v1 hierarchy's tasks) the stage writes itself
	// ("0") into before it reads "go".
	EnvCgroupFDs = "_CRT_CGROUPFDS"
	// EnvPidPipe is the descriptor of a pipe to which the stage writes
	// the PID of the process it cloned (decimal, then a newline) instead
	// of the "pid" message on the sync socket; the clone closes it.
	EnvPidPipe = "_CRT_PIDPIPE"
)
