package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// builderCommand is Docker's builder: prune, for the build cache.
func (c *cli) builderCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "builder",
		Short: "Manage the build cache (prune)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(c.builderPruneCommand())
	return cmd
}

// builderPruneCommand is Docker's builder prune. Our cache keeps no
// record of which entries are dangling: with or without -a the whole
// cache goes (the images keep their layers).
func (c *cli) builderPruneCommand() *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "prune [-a] [-f]",
		Short: "Remove the build cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !c.confirm("WARNING! This will remove all build cache.") {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			r, err := cl.BuildPrune(cmd.Context())
			if err != nil {
				return err
			}
			// Docker's words for what went.
			if len(r.Deleted) > 0 {
				fmt.Fprintln(c.out, "Deleted build cache objects:")
				for _, d := range r.Deleted {
					fmt.Fprintln(c.out, d)
				}
				fmt.Fprintln(c.out)
			}
			fmt.Fprintf(c.out, "Total reclaimed space: %s\n", humanSize(r.SpaceReclaimed))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "accepted for Docker's sake: the whole cache is removed either way")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}
