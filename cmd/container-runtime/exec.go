package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// execCommand is Docker's exec.
func (c *cli) execCommand() *cobra.Command {
	var (
		interactive, tty, detach, privileged bool
		user, workdir, detachKeys            string
		env, envFiles                        []string
	)
	cmd := &cobra.Command{
		Use:   "exec [-i] [-t] [-d] [-u USER] [-e KEY=VALUE] [-w DIR] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container",
		Long: `Run COMMAND in the running CONTAINER and exit with its exit code.
Options stop at CONTAINER: everything after it is the command.`,
		Args:              cobra.MinimumNArgs(2),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			keys, err := parseDetachKeys(detachKeys)
			if err != nil {
				return err
			}
			vars, err := parseEnv(env, envFiles, c.getenv)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			req := api.ExecCreate{
				Cmd: args[1:], Env: vars, WorkingDir: workdir, User: user,
				Tty: tty, Stdin: interactive && !detach, Privileged: privileged,
			}
			if tty && !detach {
				req.ConsoleSize = c.consoleSize()
			}
			// Create and start in one request (docker exec makes two).
			execID, stream, err := cl.ExecRun(ctx, args[0], req)
			if err != nil {
				return startError(err)
			}
			defer stream.Close()
			if detach {
				// The daemon keeps the process running without us.
				return nil
			}
			code, _, err := session{stream: stream, tty: tty, stdin: interactive, detachKeys: keys}.runToExit(ctx, c, func() (int, error) {
				if execID == "" {
					return 0, fmt.Errorf("the exec's stream ended before it exited")
				}
				ei, err := cl.ExecInspect(ctx, execID)
				if err != nil {
					return 0, err
				}
				if ei.ExitCode == nil {
					return 0, fmt.Errorf("the exec's stream ended before it exited")
				}
				return *ei.ExitCode, nil
			})
			if err != nil {
				return err
			}
			return exitWith(code)
		},
	}
	fs := cmd.Flags()
	fs.SetInterspersed(false)
	fs.BoolVarP(&interactive, "interactive", "i", false, "forward stdin")
	fs.BoolVarP(&tty, "tty", "t", false, "give the command a terminal")
	fs.BoolVarP(&detach, "detach", "d", false, "run the command in the background")
	fs.BoolVar(&privileged, "privileged", false, "give the command every capability")
	fs.StringVarP(&user, "user", "u", "", "user to run as (name|uid[:group|gid])")
	fs.StringVarP(&workdir, "workdir", "w", "", "working directory inside the container")
	fs.StringArrayVarP(&env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy ours)")
	fs.StringArrayVar(&envFiles, "env-file", nil, "read environment variables from a file")
	fs.StringVar(&detachKeys, "detach-keys", defaultDetachKeys, "key sequence that detaches from a terminal session")
	return cmd
}
