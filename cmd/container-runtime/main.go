// Command container-runtime is the client of container-runtimed: the
// seed's commands (build, image list, start, list, stop) exactly as the
// seed's README writes them, next to Docker's habits (run, ps, logs, exec,
// images...). It only parses flags and prints; every operation is a call
// to the daemon through package client.
//
// Exit codes follow Docker's: 125 when the engine or the daemon fails,
// 126 when the container's command cannot be invoked, 127 when it is not
// found, and otherwise the container's own exit code for commands that
// wait for it (start in the seed's form, run, start -a, attach, exec).
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv))
}
