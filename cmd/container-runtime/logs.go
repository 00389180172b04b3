package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
)

// logsCommand is Docker's logs.
func (c *cli) logsCommand() *cobra.Command {
	var o client.LogsOptions
	cmd := &cobra.Command{
		Use:               "logs [-f] [--tail N] [-t] [--since TIME] CONTAINER",
		Short:             "Print a container's output (kept after it exits)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			now := time.Now()
			o.Since, o.Until = timeArg(o.Since, now), timeArg(o.Until, now)
			return cl.ContainerLogs(cmd.Context(), args[0], o, c.out, c.err)
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&o.Follow, "follow", "f", false, "keep printing new output until the container exits")
	fs.StringVarP(&o.Tail, "tail", "n", "all", "number of lines to show from the end")
	fs.BoolVarP(&o.Timestamps, "timestamps", "t", false, "prefix each line with its time")
	fs.StringVar(&o.Since, "since", "", "show lines since a time (RFC 3339, unix seconds, or a duration such as 10m)")
	fs.StringVar(&o.Until, "until", "", "show lines before a time (same forms as --since)")
	return cmd
}
