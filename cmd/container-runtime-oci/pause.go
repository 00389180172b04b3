package main

import (
	"context"

	"github.com/spf13/cobra"
)

// pause and resume depend on runtime methods found by interface
// assertion, so that the CLI builds against a runtime without them and
// answers "not supported" there.

// pauser is implemented by a runtime that can freeze a container.
type pauser interface {
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
}

func newPauseCommand(a *app) *cobra.Command {
	return freezeCommand(a, "pause", "Suspend every process of the container", pauser.Pause)
}

func newResumeCommand(a *app) *cobra.Command {
	return freezeCommand(a, "resume", "Resume the processes of a paused container", pauser.Resume)
}

func freezeCommand(a *app, name, short string, do func(pauser, context.Context, string) error) *cobra.Command {
	return &cobra.Command{
		Use:   name + " ID",
		Short: short,
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			r, err := a.containerRuntime(id)
			if err != nil {
				return err
			}
			p, ok := any(r).(pauser)
			if !ok {
				return unsupported(name)
			}
			return containerError(id, do(p, cmd.Context(), id))
		},
	}
}
