package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// genManCommand writes a man page per command (container-runtime.1,
// container-runtime-run.1, ...) into DIR, generated from the command tree
// by cobra's doc generator; `make install` puts them in man1. Hidden: it
// is a build step, not a user's command.
func (c *cli) genManCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "__gen-man DIR",
		Short:  "Write the man pages of every command into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fmt.Errorf("creating the man page directory: %w", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Title: "CONTAINER-RUNTIME", Section: "1", Source: "container-runtime " + versionString(), Manual: "container-runtime manual"}
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return fmt.Errorf("writing the man pages into %s: %w", args[0], err)
			}
			return nil
		},
	}
}
