package main

import (
	"github.com/spf13/cobra"
)

// traceCommand streams strace's view of a container's processes (the
// seed's debugging use of strace).
func (c *cli) traceCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "trace CONTAINER",
		Short: "Trace a running container's system calls with strace (on the daemon's host)",
		Long: `Run strace on the container's processes from the host and stream its output
until the container exits or Ctrl-C. Needs strace installed where the daemon
runs.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			return cl.ContainerTrace(cmd.Context(), args[0], c.out)
		},
	}
}
