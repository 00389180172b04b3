package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/runtime"
)

// The commands here depend on runtime methods that may not exist yet.
// They are found by interface assertion, so that a Pause or Update added
// to *runtime.Runtime is used without a change here.

// pauser is implemented by a runtime that can freeze a container.
type pauser interface {
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
}

// updater is implemented by a runtime that can change a running
// container's cgroup limits.
type updater interface {
	Update(ctx context.Context, id string, r *specs.LinuxResources) error
}

// unsupported is the error of a command this runtime does not do.
func unsupported(command string) error {
	return fmt.Errorf("%q is not supported by %s: %w", command, progName, errors.ErrUnsupported)
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
			if err := runtime.ValidateID(id); err != nil {
				return err
			}
			r, err := a.runtime()
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

func newUpdateCommand(a *app) *cobra.Command {
	var resources string
	cmd := &cobra.Command{
		Use:   "update [flags] ID",
		Short: "Change the cgroup limits of a running container",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if err := runtime.ValidateID(id); err != nil {
				return err
			}
			if resources == "" {
				return fmt.Errorf("update needs --resources FILE or --resources - (stdin): %w", errdefs.ErrInvalidArgument)
			}
			res, err := readResources(cmd.InOrStdin(), resources)
			if err != nil {
				return err
			}
			r, err := a.runtime()
			if err != nil {
				return err
			}
			u, ok := any(r).(updater)
			if !ok {
				return unsupported("update")
			}
			return containerError(id, u.Update(cmd.Context(), id, res))
		},
	}
	cmd.Flags().StringVarP(&resources, "resources", "r", "",
		`JSON file of linux.resources to apply ("-" reads stdin)`)
	return cmd
}

// readResources reads and validates a linux.resources object from path,
// or from stdin when path is "-".
func readResources(stdin io.Reader, path string) (*specs.LinuxResources, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--resources %s: %w: %w", path, err, errdefs.ErrInvalidArgument)
	}
	var res specs.LinuxResources
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("--resources %s: %w: %w", path, err, errdefs.ErrInvalidArgument)
	}
	if err := cgroup.Validate(&res); err != nil {
		return nil, fmt.Errorf("--resources %s: %w", path, err)
	}
	return &res, nil
}

// newUnsupportedCommand is a runc command we accept by name, whatever its
// flags, and refuse with a clear message.
func newUnsupportedCommand(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:                name + " ...",
		Short:              short + " (not supported)",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return unsupported(name)
		},
	}
}
