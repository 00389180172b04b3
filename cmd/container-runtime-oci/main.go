// Command container-runtime-oci is a runc-compatible OCI runtime: the
// same commands, flags and output as runc, so that containerd (through
// go-runc and its runc shim) and `dockerd --add-runtime` can drive it in
// place of runc. The work is done by package runtime; this command only
// parses flags, picks the logger and prints results.
//
// Errors are printed as one line, "container-runtime-oci: <message>", on
// stderr and, when --log is given, also written to that file in the
// --log-format (containerd reads the last "error" line of a JSON log to
// explain a failed create). The exit code is 1 on error; run and exec
// exit with the container process's own code.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// progName prefixes every error line.
const progName = "container-runtime-oci"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	defer a.close()
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	msg := oneLine(err)
	if a.logPath != "" {
		if l := a.logger(); l != nil {
			l.Error(msg)
		}
	}
	fmt.Fprintf(stderr, "%s: %s\n", progName, msg)
	return 1
}

// exitCode is returned by run and exec to exit with the container
// process's status without printing anything.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// oneLine flattens a multi-line error (errors.Join) for the one-line
// report callers parse.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}
