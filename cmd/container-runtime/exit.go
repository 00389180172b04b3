package main

import (
	"errors"
	"fmt"
	"strings"
)

// Docker's exit codes for failures that are not the container's own.
const (
	// exitEngine: the daemon or the CLI failed.
	exitEngine = 125
	// exitCannotInvoke: the container's command exists but cannot run.
	exitCannotInvoke = 126
	// exitNotFound: the container's command does not exist.
	exitNotFound = 127
)

// statusError ends the CLI with code. err, when not nil, is printed first.
type statusError struct {
	code int
	err  error
}

func (s *statusError) Error() string {
	if s.err == nil {
		return fmt.Sprintf("exit status %d", s.code)
	}
	return s.err.Error()
}

func (s *statusError) Unwrap() error { return s.err }

// exitWith ends the CLI with a container's exit code, printing nothing;
// code 0 is success (nil).
func exitWith(code int) error {
	if code == 0 {
		return nil
	}
	return &statusError{code: code}
}

// exit prints err as one line and returns the process's exit code.
func (c *cli) exit(err error) int {
	if err == nil {
		return 0
	}
	code := exitEngine
	var se *statusError
	if errors.As(err, &se) {
		code = se.code
		err = se.err
	}
	if err != nil {
		fmt.Fprintf(c.err, "container-runtime: %s\n", oneLine(err.Error()))
	}
	return code
}

// oneLine keeps a message on one line: the daemon's messages are single
// sentences, but a wrapped tool's output may not be.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "\n") {
		return s
	}
	return strings.ReplaceAll(s, "\n", "\n  ")
}

// startError maps a failure to start a container's or exec's command to
// Docker's exit codes, by the runtime's message (as Docker does): 127 when
// the command is not found, 126 when it cannot be executed, 125 otherwise.
func startError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "executable file not found"),
		strings.Contains(msg, "no such file or directory"):
		return &statusError{code: exitNotFound, err: err}
	case strings.Contains(msg, "permission denied"),
		strings.Contains(msg, "is a directory"),
		strings.Contains(msg, "exec format error"):
		return &statusError{code: exitCannotInvoke, err: err}
	}
	return &statusError{code: exitEngine, err: err}
}
