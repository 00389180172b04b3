package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
)

// attachCommand is Docker's attach.
func (c *cli) attachCommand() *cobra.Command {
	var (
		detachKeys string
		noStdin    bool
		sigProxy   bool
	)
	cmd := &cobra.Command{
		Use:   "attach [--detach-keys KEYS] CONTAINER",
		Short: "Connect to a running container's input and output",
		Long: `Connect to a running container's input (when it was created with -i) and
output, and exit with its exit code. With a terminal, the detach keys
(default ctrl-p,ctrl-q) disconnect and leave the container running.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			keys, err := parseDetachKeys(detachKeys)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			ci, err := cl.ContainerInspect(ctx, args[0])
			if err != nil {
				return err
			}
			stdin := ci.Config.OpenStdin && !noStdin
			stream, err := cl.ContainerAttach(ctx, ci.ID, client.AttachOptions{
				Stdin: stdin, Stdout: true, Stderr: true, DetachKeys: detachKeys,
			})
			if err != nil {
				return err
			}
			defer stream.Close()
			if sigProxy && !ci.Config.Tty {
				p := startSignalProxy()
				p.forward(func(sig string) { cl.ContainerKill(context.WithoutCancel(ctx), ci.ID, sig) })
				defer p.stop()
			}
			code, _, err := session{stream: stream, tty: ci.Config.Tty, stdin: stdin, detachKeys: keys}.runToExit(ctx, c, func() (int, error) {
				w, err := cl.ContainerWait(ctx, ci.ID, client.WaitNotRunning)
				return w.StatusCode, err
			})
			if err != nil {
				return err
			}
			return exitWith(code)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&detachKeys, "detach-keys", defaultDetachKeys, "key sequence that detaches from a terminal session")
	fs.BoolVar(&noStdin, "no-stdin", false, "do not forward stdin")
	fs.BoolVar(&sigProxy, "sig-proxy", true, "forward the signals the CLI receives to the container (without a terminal)")
	return cmd
}
