package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/runtime"
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
		RunE: a.onContainer(func(cmd *cobra.Command, r *runtime.Runtime, id string, _ []string) error {
			p, ok := any(r).(pauser)
			if !ok {
				return unsupported(name)
			}
			return do(p, cmd.Context(), id)
		}),
	}
}
