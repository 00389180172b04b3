package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// unsupported is the error of a command this runtime does not do.
func unsupported(command string) error {
	return fmt.Errorf("%q is not supported by %s: %w", command, progName, errors.ErrUnsupported)
}

// newUnsupportedCommand is a runc command we accept by name, whatever its
// flags, and refuse with a clear message.
func newUnsupportedCommand(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:                name + " ...",
		Short:              short + " (not supported)",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return unsupported(name)
		},
	}
}

// newCRIUCommand is checkpoint or restore: refused like the other
// unsupported commands, saying what they would need.
func newCRIUCommand(name, short string) *cobra.Command {
	cmd := newUnsupportedCommand(name, short)
	cmd.RunE = func(*cobra.Command, []string) error {
		return fmt.Errorf("%q is not supported by %s: checkpoint/restore needs CRIU support, which this runtime does not implement: %w",
			name, progName, errors.ErrUnsupported)
	}
	return cmd
}
