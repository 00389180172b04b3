package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/runtime"
)

func newRunCommand(a *app) *cobra.Command {
	var (
		o      createFlags
		detach bool
		keep   bool
	)
	cmd := &cobra.Command{
		Use:   "run [flags] ID",
		Short: "Create and start a container; wait for it and exit with its code unless --detach",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			r, opts, err := o.prepare(a, cmd, id, detach)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			switch {
			case detach:
				return createAndStart(ctx, r, id, opts)
			default:
				return runForeground(ctx, r, id, opts, keep)
			}
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "return once the container has started")
	cmd.Flags().BoolVar(&keep, "keep", false, "do not delete the container after it exits")
	return cmd
}

// createAndStart is run --detach: the container outlives us.
func createAndStart(ctx context.Context, r *runtime.Runtime, id string, opts runtime.CreateOptions) error {
	_, err := startNew(ctx, r, id, opts)
	return err
}

// startNew creates and starts the container and returns its init
// process. As runc does, a container that failed to start is destroyed.
func startNew(ctx context.Context, r *runtime.Runtime, id string, opts runtime.CreateOptions) (*runtime.Process, error) {
	p, err := r.Create(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	if err := r.StartCreated(ctx, p); err != nil {
		_ = r.Delete(context.WithoutCancel(ctx), id, true)
		return nil, err
	}
	return p, nil
}

// runForeground creates and starts the container, relays the terminal
// and our signals while it runs, and deletes it when it ends unless keep
// (run --keep: the stopped container stays for state and delete).
func runForeground(ctx context.Context, r *runtime.Runtime, id string, opts runtime.CreateOptions, keep bool) error {
	fg, err := newForeground(terminal(opts.Spec) && opts.ConsoleSocket == "")
	if err != nil {
		return err
	}
	defer fg.close()
	if s := fg.consoleSocket(); s != "" {
		opts.ConsoleSocket = s
	}
	p, err := startNew(ctx, r, id, opts)
	if err != nil {
		return err
	}
	st, err := fg.wait(p)
	if !keep {
		if derr := r.Delete(context.WithoutCancel(ctx), id, true); err == nil {
			err = derr
		}
	}
	if err != nil {
		return err
	}
	return statusError(st)
}

// statusError turns a process's status into our exit: nothing for 0,
// its code otherwise (128+signal when it was killed).
func statusError(st runtime.ExitStatus) error {
	if st.Code == 0 {
		return nil
	}
	return exitCode(st.Code)
}
