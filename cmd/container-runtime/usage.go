package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

// usageError is a command line the CLI cannot take: an unknown flag or
// command, the wrong number of arguments, a --format that does not parse.
// Docker prints these with the command's usage line and exits 1, except
// for flag errors, which exit 125 (as Docker 28's CLI does).
type usageError struct {
	err error
	// cmd is the command whose usage is shown; nil shows none.
	cmd  *cobra.Command
	code int
}

func (u *usageError) Error() string { return u.err.Error() }

func (u *usageError) Unwrap() error { return u.err }

// usageErrorsOnArgs makes every command's argument check fail with a
// usageError, with Docker's wording for a command that takes none.
func usageErrorsOnArgs(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			if err == nil {
				return nil
			}
			err = fmt.Errorf("'%s' %s", cmd.CommandPath(), argsMessage(err.Error()))
			return &usageError{err: err, cmd: cmd, code: 1}
		}
	}
	for _, sub := range cmd.Commands() {
		usageErrorsOnArgs(sub)
	}
}

// usage prints err when it is a usage error, as Docker does:
//
//	container-runtime: 'container-runtime ps' accepts no arguments
//
//	Usage:  container-runtime ps [-a] [-q] [--format json]
//
//	Run 'container-runtime ps --help' for more information
//
// and returns the exit code. Cobra's own unknown-command error of the
// root is one too.
func (c *cli) usage(root *cobra.Command, err error) (int, bool) {
	var u *usageError
	switch {
	case errors.As(err, &u):
	case err != nil && strings.HasPrefix(err.Error(), "unknown command"):
		// Cobra: unknown command "x" for "container-runtime".
		name, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "unknown command "), " for ")
		u = &usageError{err: fmt.Errorf("unknown command: %s %s", root.Name(), strings.Trim(name, `"`)), code: 1}
		fmt.Fprintf(c.err, "%s: %s\n\nRun '%s --help' for more information\n", root.Name(), u.err, root.Name())
		return u.code, true
	default:
		return 0, false
	}
	fmt.Fprintf(c.err, "container-runtime: %s\n", u.err)
	if u.cmd != nil {
		fmt.Fprintf(c.err, "\nUsage:  %s\n\nRun '%s --help' for more information\n", u.cmd.UseLine(), u.cmd.CommandPath())
	}
	return u.code, true
}

// cobraArgs matches cobra's messages for a wrong number of arguments.
var cobraArgs = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:accepts|requires) (at least |at most |between )?(\d+)(?: and (\d+))? arg\(s\)`)
})

// argsMessage says what cobra's argument checks say in Docker's words:
// "accepts no arguments", "requires at least 1 argument".
func argsMessage(msg string) string {
	if strings.HasPrefix(msg, "unknown command") {
		return "accepts no arguments"
	}
	m := cobraArgs().FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	n := m[2]
	if m[3] != "" {
		n += " and " + m[3]
	}
	plural := "s"
	if n == "1" {
		plural = ""
	}
	return "requires " + m[1] + n + " argument" + plural
}
