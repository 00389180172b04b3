// Command container-runtime-init is the binary container-runtimed starts
// every container process from: the namespace stage (C, a constructor of
// internal/nsenter), the init and exec stages (package runtime's init(),
// which takes over when the daemon sets _CRT_STAGE) and the health
// executor (C, a constructor of internal/healthexec, which re-executes
// the binary it was started from for each check) are all it holds. The daemon's own binary holds them too, but it is five times the
// size, and each container's init and each exec (health checks included)
// paid for the daemon's Go runtime and package inits: about 6 ms from the
// process's start to the stage, against about 2 here (GODEBUG=inittrace).
//
// It is installed next to the daemon, which seals it read-only before use
// (runtime.Runtime.StageBinary) and falls back to itself without it. Run
// by hand, it only says what it is.
package main

import (
	"fmt"
	"os"

	// Their constructors and init() run the container stages and the
	// health executor; nothing returns into main when one is asked for.
	_ "github.com/container-runtime/container-runtime/internal/healthexec"
	_ "github.com/container-runtime/container-runtime/runtime"
)

func main() {
	fmt.Fprintln(os.Stderr, "container-runtime-init: the container processes of container-runtimed start from this binary; it is not a command")
	os.Exit(2)
}
