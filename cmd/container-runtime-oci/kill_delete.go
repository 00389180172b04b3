package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/runtime"
)

func newKillCommand(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "kill [flags] ID [SIGNAL]",
		Short: "Send a signal (default SIGTERM) to the container's init process",
		Long: "Send a signal to the container's init process, or with --all to every process\n" +
			"of the container. SIGNAL is a name (KILL, SIGKILL) or a number; the default is SIGTERM.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 || len(args) == 2 {
				return nil
			}
			return fmt.Errorf(`"kill" needs ID and an optional SIGNAL, got %d arguments: %w`, len(args), errdefs.ErrInvalidArgument)
		},
		RunE: a.onContainer(func(cmd *cobra.Command, r *runtime.Runtime, id string, args []string) error {
			sig := unix.SIGTERM
			if len(args) == 1 {
				var err error
				if sig, err = parseSignal(args[0]); err != nil {
					return err
				}
			}
			err := r.Kill(cmd.Context(), id, sig, all)
			if errors.Is(err, errdefs.ErrConflict) {
				// containerd's shim matches these words.
				err = fmt.Errorf("container not running: %w", err)
			}
			return err
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "signal every process of the container")
	return cmd
}

func newDeleteCommand(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "delete [flags] ID",
		Short: "Delete a stopped container and everything it holds",
		Args:  exactArgs("ID"),
		RunE: a.onContainer(func(cmd *cobra.Command, r *runtime.Runtime, id string, _ []string) error {
			err := r.Delete(cmd.Context(), id, force)
			if force && errors.Is(err, errdefs.ErrNotFound) {
				// runc: deleting what is not there is done.
				return nil
			}
			return err
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill the container first if it runs (SIGKILL)")
	return cmd
}
