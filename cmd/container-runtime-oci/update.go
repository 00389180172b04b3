package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/runtime"
)

// update depends on a runtime method found by interface assertion, as
// pause does (pause.go).

// updater is implemented by a runtime that can change a running
// container's cgroup limits.
type updater interface {
	Update(ctx context.Context, id string, r *specs.LinuxResources) error
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
