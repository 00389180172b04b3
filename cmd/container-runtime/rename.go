package main

import "github.com/spf13/cobra"

// renameCommand is Docker's rename.
func (c *cli) renameCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "rename CONTAINER NEW_NAME",
		Short:             "Rename a container (running or not)",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			return refused(cl.ContainerRename(cmd.Context(), args[0], args[1]))
		},
	}
}
