package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// startCommand is both the seed's start (NAME IMAGE NETWORK COMMAND
// [ARGS...]: run a new container in the foreground) and Docker's start
// (start existing containers, -a to attach). Four or more arguments
// without -a or -i are the seed's form.
func (c *cli) startCommand() *cobra.Command {
	var (
		attach, interactive bool
		detachKeys          string
	)
	cmd := &cobra.Command{
		Use:   "start NAME IMAGE NETWORK COMMAND [ARGS...] | start [-a] [-i] CONTAINER...",
		Short: "Run a new container in the foreground (seed), or start existing containers (Docker)",
		Long: `Two forms, told apart by the number of arguments:

  start NAME IMAGE NETWORK COMMAND [ARGS...]
      The seed's form (four or more arguments): create the container NAME from
      IMAGE on network NETWORK (host, none, bridge or a network's name), run
      COMMAND in the foreground, print
      "container NAME started (pid N)", stream its output, print
      "container NAME exited with code N", remove the container and exit with
      its code. Ctrl-C is forwarded to the container.

  start [-a] [-i] CONTAINER...
      Docker's form (one to three arguments, or any number with -a/-i): start
      existing containers; with -a attach to one and exit with its code.

Options must come before the first argument: everything after NAME is taken
as is, so that COMMAND's own options reach it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cl, err := c.client()
			if err != nil {
				return err
			}
			if len(args) >= 4 && !attach && !interactive {
				return c.seedStart(ctx, cl, args[0], args[1], args[2], args[3:])
			}
			if attach || interactive {
				if len(args) > 1 {
					return fmt.Errorf("cannot start and attach to several containers at once")
				}
				keys, err := parseDetachKeys(detachKeys)
				if err != nil {
					return err
				}
				ci, err := cl.ContainerInspect(ctx, args[0])
				if err != nil {
					return err
				}
				return c.foreground(ctx, cl, foreground{
					id: ci.ID, tty: ci.Config.Tty, stdin: interactive && ci.Config.OpenStdin,
					detachKeys: keys, detachSpec: detachKeys, sigProxy: true, autoRemove: ci.Config.AutoRemove,
				})
			}
			return c.eachContainer(ctx, args, func(id string) error { return cl.ContainerStart(ctx, id) })
		},
	}
	fs := cmd.Flags()
	fs.SetInterspersed(false)
	fs.BoolVarP(&attach, "attach", "a", false, "attach to the container's output and exit with its code (Docker's form)")
	fs.BoolVarP(&interactive, "interactive", "i", false, "attach stdin too (Docker's form)")
	fs.StringVar(&detachKeys, "detach-keys", defaultDetachKeys, "key sequence that detaches from a terminal session")
	cmd.ValidArgsFunction = c.completeContainers(true)
	return cmd
}

// startedEventWait bounds how long the seed's start waits for the start
// event that carries the container's pid, before asking inspect instead.
const startedEventWait = 2 * time.Second

// seedStart is the seed's start: a new container NAME from IMAGE on
// NETWORK running COMMAND in the foreground, removed when it exits.
func (c *cli) seedStart(ctx context.Context, cl *client.Client, name, image, network string, command []string) error {
	created, err := cl.ContainerCreate(ctx, api.ContainerCreate{
		Name: name, Image: image, Network: network, Cmd: command, AutoRemove: true,
	})
	if err != nil {
		return err
	}
	c.warn(created.Warnings)
	id := created.ID

	// The start event carries the pid even when the container is gone by
	// the time we could inspect it. Since a minute ago (the container is
	// newer), so that the daemon's history covers the moments before our
	// subscription is in place.
	evctx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	since := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	events, _ := cl.Events(evctx, client.EventsOptions{Type: "container", ID: id, Since: since})

	return c.foreground(ctx, cl, foreground{
		id: id, sigProxy: true, autoRemove: true,
		started: func(ctx context.Context) {
			pid := startedPid(ctx, cl, id, events)
			stopEvents()
			if pid > 0 {
				fmt.Fprintf(c.err, "container %s started (pid %d)\n", name, pid)
			} else {
				fmt.Fprintf(c.err, "container %s started\n", name)
			}
		},
		exited: func(code int) {
			fmt.Fprintf(c.err, "container %s exited with code %d\n", name, code)
		},
	})
}

// startedPid returns the pid of container id's start, from its start event
// or else from inspect; 0 when neither tells.
func startedPid(ctx context.Context, cl *client.Client, id string, events <-chan api.Event) int {
	timer := time.NewTimer(startedEventWait)
	defer timer.Stop()
	for events != nil {
		select {
		case e, ok := <-events:
			if !ok {
				events = nil // the stream failed: ask inspect
			} else if e.Action == "start" && e.ID == id && e.Pid > 0 {
				return e.Pid
			}
		case <-timer.C:
			events = nil
		case <-ctx.Done():
			return 0
		}
	}
	ci, err := cl.ContainerInspect(ctx, id)
	if err != nil {
		return 0
	}
	if ci.StateDetail.Pid > 0 {
		return ci.StateDetail.Pid
	}
	return ci.Pid
}
