package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// topCommand is Docker's top: ps -ef's columns for the container's
// processes, or the host's ps with the options given after the name.
func (c *cli) topCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "top CONTAINER [ps OPTIONS]",
		Short:             "Show a container's processes",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			top, err := cl.ContainerTop(cmd.Context(), args[0], strings.Join(args[1:], " "))
			if err != nil {
				return refused(err)
			}
			t := newTable(c.out, top.Titles...)
			for _, p := range top.Processes {
				t.row(toAny(p)...)
			}
			return t.flush()
		},
	}
	// ps's options (-o pid,comm, aux) follow the container's name.
	cmd.Flags().SetInterspersed(false)
	return cmd
}
