package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/errdefs"
)

// inspectCommand is Docker's inspect: containers, or images when no
// container has the name (or with --type image).
func (c *cli) inspectCommand() *cobra.Command {
	var format, kind string
	cmd := &cobra.Command{
		Use:   "inspect [--format json|TEMPLATE] [--type container|image] NAME...",
		Short: "Show the details of containers or images as JSON",
		Long: `Show the details of containers or images in Docker's shape: a JSON array
by default, or each object through a Go template
(--format '{{.State.Status}} {{.State.Pid}} {{.NetworkSettings.IPAddress}}').

A container's details also include the results of its startup commands
(startupCommands) and how long each phase of its last start took
(startPhases).`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch kind {
			case "", "container", "image":
			default:
				return fmt.Errorf("--type must be container or image, not %q", kind)
			}
			return c.inspectEach(format, args, func(cl *client.Client, name string) (any, error) {
				return inspectOne(cmd.Context(), cl, kind, name)
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json (default) or a Go template")
	cmd.Flags().StringVar(&kind, "type", "", "what NAME is: container or image (default: a container, else an image)")
	return cmd
}

// inspectEach is what inspect commands share: it describes each name
// with get, prints the descriptions as a JSON array (or each through
// --format's template), and reports the names it could not describe on
// stderr, then fails with the engine's exit code, as Docker does.
func (c *cli) inspectEach(format string, names []string, get func(cl *client.Client, name string) (any, error)) error {
	out, err := parseOutput(format)
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	objs := []any{}
	failed := false
	for _, name := range names {
		obj, err := get(cl, name)
		if err != nil {
			fmt.Fprintf(c.err, "container-runtime: %s\n", oneLine(err.Error()))
			failed = true
			continue
		}
		objs = append(objs, obj)
	}
	if out.tmpl != nil {
		for _, o := range objs {
			if err := out.item(c.out, o); err != nil {
				return err
			}
		}
	} else if err := writeJSON(c.out, objs); err != nil {
		return err
	}
	if failed {
		return &statusError{code: exitEngine}
	}
	return nil
}

// inspectOne describes a container or an image.
func inspectOne(ctx context.Context, cl *client.Client, kind, name string) (any, error) {
	if kind != "image" {
		ci, err := cl.ContainerInspect(ctx, name)
		if err == nil {
			return newContainerView(ci), nil
		}
		if kind == "container" || !errors.Is(err, errdefs.ErrNotFound) {
			return nil, err
		}
	}
	ii, err := cl.ImageInspect(ctx, name)
	if err != nil && kind == "" && errors.Is(err, errdefs.ErrNotFound) {
		return nil, fmt.Errorf("no container or image named %s", name)
	}
	if err != nil {
		return nil, err
	}
	return newImageView(ii), nil
}
