package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
)

// maxParallel bounds the requests eachContainerParallel has in flight,
// as Docker's CLI does.
const maxParallel = 50

// eachContainer runs fn on every named container, one after the other,
// printing the name of each success on stdout and each failure on
// stderr, as Docker does. It fails (exit 125, already reported) when any
// failed.
func (c *cli) eachContainer(ctx context.Context, names []string, fn func(id string) error) error {
	return c.report(names, func(i int) error { return fn(names[i]) })
}

// eachContainerParallel is eachContainer with the calls made concurrently
// (at most maxParallel at a time), as Docker's stop, kill, rm, restart,
// pause and unpause: stopping 20 containers takes one stop timeout, not
// 20. The results are still printed in the order given.
func (c *cli) eachContainerParallel(ctx context.Context, names []string, fn func(id string) error) error {
	errs := make([]chan error, len(names))
	sem := make(chan struct{}, maxParallel)
	for i, n := range names {
		errs[i] = make(chan error, 1)
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] <- fn(n)
		}()
	}
	return c.report(names, func(i int) error { return <-errs[i] })
}

// report prints, for each name in order, the name on stdout or result's
// error on stderr; it fails (exit 125) when any failed.
func (c *cli) report(names []string, result func(i int) error) error {
	failed := false
	for i, n := range names {
		if err := result(i); err != nil {
			fmt.Fprintf(c.err, "container-runtime: %s\n", oneLine(err.Error()))
			failed = true
			continue
		}
		fmt.Fprintln(c.out, n)
	}
	if failed {
		return &statusError{code: exitEngine}
	}
	return nil
}

// simpleCommand builds a command that applies fn to each container named.
func (c *cli) simpleCommand(use, short string, fn func(ctx context.Context, cl *client.Client, id string) error) *cobra.Command {
	return &cobra.Command{
		Use:               use + " CONTAINER...",
		Short:             short,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return c.eachContainerParallel(ctx, args, func(id string) error { return fn(ctx, cl, id) })
		},
	}
}

// stopCommand is the seed's `stop NAME`, and Docker's stop [-t].
func (c *cli) stopCommand() *cobra.Command {
	return c.timeoutCommand("stop [-t SECONDS]", "Stop containers: their stop signal, then SIGKILL after a timeout",
		(*client.Client).ContainerStop)
}

// restartCommand is Docker's restart [-t].
func (c *cli) restartCommand() *cobra.Command {
	return c.timeoutCommand("restart [-t SECONDS]", "Stop and start containers again",
		(*client.Client).ContainerRestart)
}

// timeoutCommand builds a command that applies fn to each container named,
// with the -t timeout before SIGKILL when given (nil: the container's).
func (c *cli) timeoutCommand(use, short string, fn func(cl *client.Client, ctx context.Context, id string, timeout *int) error) *cobra.Command {
	var timeout int
	var cmd *cobra.Command
	cmd = c.simpleCommand(use, short,
		func(ctx context.Context, cl *client.Client, id string) error {
			return fn(cl, ctx, id, changedInt(cmd, "time", timeout))
		})
	cmd.Flags().IntVarP(&timeout, "time", "t", 0, "seconds to wait before SIGKILL (default the container's, or 10)")
	return cmd
}

// killCommand is Docker's kill [-s].
func (c *cli) killCommand() *cobra.Command {
	var signal string
	cmd := c.simpleCommand("kill [-s SIGNAL]", "Send a signal (default SIGKILL) to containers",
		func(ctx context.Context, cl *client.Client, id string) error {
			return cl.ContainerKill(ctx, id, signal)
		})
	cmd.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal to send (name or number)")
	return cmd
}

// rmCommand is Docker's rm [-f].
func (c *cli) rmCommand() *cobra.Command {
	var force, volumes bool
	cmd := c.simpleCommand("rm [-f] [-v]", "Remove containers",
		func(ctx context.Context, cl *client.Client, id string) error {
			if volumes {
				return cl.ContainerRemoveWithVolumes(ctx, id, force)
			}
			return cl.ContainerRemove(ctx, id, force)
		})
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill and remove running containers")
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "remove the container's anonymous volumes too")
	cmd.ValidArgsFunction = c.completeContainers(true)
	return cmd
}

// pauseCommand is Docker's pause.
func (c *cli) pauseCommand() *cobra.Command {
	return c.simpleCommand("pause", "Freeze every process of containers",
		func(ctx context.Context, cl *client.Client, id string) error { return cl.ContainerPause(ctx, id) })
}

// unpauseCommand is Docker's unpause.
func (c *cli) unpauseCommand() *cobra.Command {
	return c.simpleCommand("unpause", "Thaw paused containers",
		func(ctx context.Context, cl *client.Client, id string) error { return cl.ContainerUnpause(ctx, id) })
}

// waitCommand is Docker's wait: print each container's exit code once it
// stopped.
func (c *cli) waitCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "wait CONTAINER...",
		Short:             "Wait until containers stop, and print their exit codes",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			failed := false
			for _, id := range args {
				w, err := cl.ContainerWait(cmd.Context(), id, client.WaitNotRunning)
				if err != nil {
					fmt.Fprintf(c.err, "container-runtime: %s\n", oneLine(err.Error()))
					failed = true
					continue
				}
				fmt.Fprintln(c.out, w.StatusCode)
			}
			if failed {
				return &statusError{code: exitEngine}
			}
			return nil
		},
	}
}

// changedInt returns &v when the flag name was given, nil otherwise.
func changedInt(cmd *cobra.Command, name string, v int) *int {
	if !cmd.Flags().Changed(name) {
		return nil
	}
	return &v
}
