package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
)

// runCommand is Docker's run: create, then start in the foreground or (-d)
// in the background.
func (c *cli) runCommand() *cobra.Command {
	var (
		f          containerFlags
		detach     bool
		detachKeys string
		sigProxy   bool
	)
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and start a container",
		Long: `Create and start a container from IMAGE. With no COMMAND, the image's CMD
runs; images built here run their startup commands (ENTRYPOINT lines) first.

In the foreground the container's output is streamed and the CLI exits with
the container's exit code. With -d the container's id is printed.

Options stop at IMAGE: everything after it is the container's command.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			keys, err := parseDetachKeys(detachKeys)
			if err != nil {
				return err
			}
			req, err := f.create(args[0], args[1:], c.getenv)
			if err != nil {
				return err
			}
			streams, err := attachStreams(f.names.attach, detach, &req) // nameflags.go
			if err != nil {
				return err
			}
			cid, err := f.host.openCidfile()
			if err != nil {
				return err
			}
			defer cid.close()
			if req.Tty && !detach {
				req.ConsoleSize = c.consoleSize()
			}
			// Signals are caught while the create request runs.
			var signals *signalProxy
			if !detach && sigProxy && !req.Tty {
				signals = startSignalProxy()
				defer signals.stop()
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			created, err := c.createWithPull(ctx, cl, req, f.pull, f.names.quiet)
			if err != nil {
				return err
			}
			c.warn(created.Warnings)
			if err := cid.write(created.ID); err != nil {
				return err
			}
			if detach {
				if err := cl.ContainerStart(ctx, created.ID); err != nil {
					if req.AutoRemove {
						cl.ContainerRemove(context.WithoutCancel(ctx), created.ID, true)
					}
					return startError(err)
				}
				fmt.Fprintln(c.out, created.ID)
				return nil
			}
			return c.foreground(ctx, cl, foreground{
				id: created.ID, tty: req.Tty, stdin: req.OpenStdin, detachKeys: keys, detachSpec: detachKeys,
				sigProxy: sigProxy, signals: signals, autoRemove: req.AutoRemove, streams: streams,
			})
		},
	}
	fs := cmd.Flags()
	fs.SetInterspersed(false)
	f.addFlags(fs)
	fs.BoolVarP(&detach, "detach", "d", false, "run in the background and print the container's id")
	fs.StringVar(&detachKeys, "detach-keys", defaultDetachKeys, "key sequence that detaches from a terminal session")
	fs.BoolVar(&sigProxy, "sig-proxy", true, "forward the signals the CLI receives to the container (without -t)")
	cmd.ValidArgsFunction = c.completeImages
	return cmd
}

// createCommand is Docker's create.
func (c *cli) createCommand() *cobra.Command {
	var f containerFlags
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create a container without starting it, and print its id",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.create(args[0], args[1:], c.getenv)
			if err != nil {
				return err
			}
			cid, err := f.host.openCidfile()
			if err != nil {
				return err
			}
			defer cid.close()
			cl, err := c.client()
			if err != nil {
				return err
			}
			created, err := c.createWithPull(cmd.Context(), cl, req, f.pull, f.names.quiet)
			if err != nil {
				return err
			}
			c.warn(created.Warnings)
			if err := cid.write(created.ID); err != nil {
				return err
			}
			fmt.Fprintln(c.out, created.ID)
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	f.addFlags(cmd.Flags())
	cmd.ValidArgsFunction = c.completeImages
	return cmd
}

// warn prints the daemon's warnings.
func (c *cli) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(c.err, "WARNING: %s\n", w)
	}
}

// removeWait bounds how long a --rm run waits for the daemon to remove
// the container after it exited.
const removeWait = 30 * time.Second

// foreground describes a container run attached to the CLI.
type foreground struct {
	id         string
	tty, stdin bool
	detachKeys []byte
	// detachSpec is detachKeys as the user wrote them, for the daemon.
	detachSpec string
	sigProxy   bool
	// signals, when set, is the signal proxy the caller started (and
	// stops); with sigProxy and none, foreground starts its own.
	signals    *signalProxy
	autoRemove bool
	// started, when set, runs once the container started, before its
	// output is copied (the seed's "started" line).
	started func(ctx context.Context)
	// exited, when set, is told the container's exit code.
	exited func(code int)
	// streams, when set, are the output streams attached (-a); zero:
	// stdout and stderr.
	streams *outputStreams
}

// foreground attaches to the container f.id, starts it, streams its I/O
// until it exits, and returns its exit code as a statusError (nil for 0
// or a detach).
func (c *cli) foreground(ctx context.Context, cl *client.Client, f foreground) error {
	if f.sigProxy && !f.tty {
		// Before the start, so that no signal is missed once it runs.
		if f.signals == nil {
			f.signals = startSignalProxy()
			defer f.signals.stop()
		}
		f.signals.forward(func(sig string) { cl.ContainerKill(context.WithoutCancel(ctx), f.id, sig) })
	}
	// The attach starts the container once it is attached, so that no
	// output is lost, in one round trip; a daemon that predates this
	// leaves the start to us.
	stdout, stderr := true, true
	if f.streams != nil {
		stdout, stderr = f.streams.stdout, f.streams.stderr
	}
	stream, err := cl.ContainerAttach(ctx, f.id, client.AttachOptions{
		Stdin: f.stdin, Stdout: stdout, Stderr: stderr, DetachKeys: f.detachSpec, Start: true,
	})
	if err == nil && !stream.Started() {
		if err = cl.ContainerStart(ctx, f.id); err != nil {
			stream.Close()
		}
	}
	if err != nil {
		if f.autoRemove {
			cl.ContainerRemove(context.WithoutCancel(ctx), f.id, true)
		}
		return startError(err)
	}
	defer stream.Close()
	if f.started != nil {
		f.started(ctx)
	}
	exitFramed := true
	code, detached, err := session{stream: stream, tty: f.tty, stdin: f.stdin, detachKeys: f.detachKeys}.runToExit(ctx, c, func() (int, error) {
		exitFramed = false
		w, err := cl.ContainerWait(ctx, f.id, client.WaitNotRunning)
		if err != nil {
			return 0, fmt.Errorf("the container's stream ended before it exited: %w", err)
		}
		return w.StatusCode, nil
	})
	if detached || err != nil {
		return err
	}
	if f.exited != nil {
		f.exited(code)
	}
	// A daemon that tells the exit of an --rm container once it removed
	// it spares us asking (a round trip); with an older one, or when the
	// stream ended without the exit, we wait for the removal.
	if f.autoRemove && !(exitFramed && stream.ExitAfterRemoval()) {
		// Return once the daemon removed it, so that the name is free
		// for the next command (not found: already removed).
		// The bound only guards against a daemon that never removes it.
		wctx, cancel := context.WithTimeout(ctx, removeWait)
		cl.ContainerWait(wctx, f.id, client.WaitRemoved)
		cancel()
	}
	return exitWith(code)
}
