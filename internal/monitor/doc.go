// Package monitor runs and talks to the per-container monitor: a small
// process, outside the daemon, that holds a container's stdio, writes its
// log file, serves attach clients, reaps the container's init and records
// its exit status, and outlives the daemon.
//
// The monitor is C (monitor.c and its neighbours): a constructor that
// runs before the Go runtime when _CRT_MONITOR is set, so that each
// monitor costs a few hundred KiB instead of a Go process's megabytes.
// Any binary that imports this package can therefore be re-executed as a
// monitor; Start does that with the calling binary. The Go side here
// starts monitors and speaks their protocols: the control socket (see
// monitor.c), attach.sock frames (attach.c, api.WriteFrame's format),
// exit.json, and the CRI log files.
package monitor

// #cgo CFLAGS: -Wall -Werror -std=gnu99 -O2
import "C"

// Environment variables read by the monitor's constructor (monitor.c).
const (
	envMonitor  = "_CRT_MONITOR"
	envDir      = "_CRT_MONITOR_DIR"
	envLog      = "_CRT_MONITOR_LOG"
	envMaxSize  = "_CRT_MONITOR_LOG_MAX_SIZE"
	envMaxFiles = "_CRT_MONITOR_LOG_MAX_FILES"
	envTty      = "_CRT_MONITOR_TTY"
	envStdin    = "_CRT_MONITOR_STDIN"
)
