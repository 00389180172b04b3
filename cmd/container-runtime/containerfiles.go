package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fileVerbs are the verbs on a container's files: Docker's cp, diff,
// commit and export (top level and under `container`).
func (c *cli) fileVerbs() []*cobra.Command {
	return []*cobra.Command{c.cpCommand(), c.diffCommand(), c.commitCommand(), c.exportCommand()}
}

// diffCommand is Docker's diff.
func (c *cli) diffCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "diff CONTAINER",
		Short:             "List the files added (A), changed (C) and deleted (D) in a container since its image",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			changes, err := cl.ContainerChanges(cmd.Context(), args[0])
			if err != nil {
				return refused(err)
			}
			for _, ch := range changes {
				fmt.Fprintf(c.out, "%s %s\n", changeKind(ch.Kind), ch.Path)
			}
			return nil
		},
	}
}

// changeKind is diff's letter for a change.
func changeKind(k int) string {
	switch k {
	case api.ChangeAdd:
		return "A"
	case api.ChangeDelete:
		return "D"
	}
	return "C"
}

// commitCommand is Docker's commit.
func (c *cli) commitCommand() *cobra.Command {
	var req api.ContainerCommit
	cmd := &cobra.Command{
		Use:   "commit [-a AUTHOR] [-m MESSAGE] [-c INSTRUCTION]... [-p=false] CONTAINER [REPOSITORY[:TAG]]",
		Short: "Make an image of a container's changes",
		Long: `Make an image of a container: its image's layers plus one layer holding the
container's changes, with the container's config (command, environment,
working directory, user, labels, exposed ports). -c applies a Dockerfile
instruction to that config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER,
WORKDIR, VOLUME or STOPSIGNAL. A running container is paused while its
files are read, unless -p=false. Prints the new image's id.`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				req.Reference = args[1]
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			id, err := cl.ContainerCommit(cmd.Context(), args[0], req)
			if err != nil {
				return refused(err)
			}
			fmt.Fprintln(c.out, id)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&req.Author, "author", "a", "", `author (e.g. "Jane Doe <jane@example.com>")`)
	fs.StringVarP(&req.Comment, "message", "m", "", "commit message")
	fs.StringArrayVarP(&req.Changes, "change", "c", nil, "apply a Dockerfile instruction to the image's config")
	fs.BoolVarP(&req.Pause, "pause", "p", true, "pause a running container while committing")
	return cmd
}

// exportCommand is Docker's export.
func (c *cli) exportCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "export [-o FILE] CONTAINER",
		Short:             "Write a container's whole filesystem as a tar (to stdout or -o FILE)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := c.out
			if output == "" {
				if _, ok := terminal(c.out); ok {
					return fmt.Errorf("refusing to write a tar to a terminal: use -o FILE or redirect the output")
				}
			} else {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			if err := cl.ContainerExport(cmd.Context(), args[0], w); err != nil {
				if output != "" {
					os.Remove(output)
				}
				return refused(err)
			}
			if f, ok := w.(*os.File); ok && output != "" {
				return f.Close()
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

// importCommand is Docker's import (and `image import`).
func (c *cli) importCommand() *cobra.Command {
	var opts api.ImageImportOptions
	cmd := &cobra.Command{
		Use:   "import [-c INSTRUCTION]... [-m MESSAGE] FILE|- [REPOSITORY[:TAG]]",
		Short: "Make an image from a root filesystem tar (optionally compressed); - reads stdin",
		Long: `Make a one-layer image from a root filesystem tar (plain, gzip or bzip2), as
Docker's import. -c applies a Dockerfile instruction to the image's config
(CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL);
-m records a message in its history. Importing from a URL is not supported:
download the file and import it. Prints the new image's id.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := args[0]
			if strings.Contains(src, "://") {
				return refused(errdefs.Kindf(errdefs.ErrInvalidArgument, "importing from a URL (%s) is not supported: download the tar and import the file", src))
			}
			var r io.Reader = c.in
			if src != "-" {
				f, err := os.Open(src)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			if len(args) == 2 {
				opts.Name = args[1]
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			view := &plainView{w: c.err}
			id, err := cl.ImageImportWith(cmd.Context(), r, opts, view.update)
			if err != nil {
				return refused(err)
			}
			fmt.Fprintln(c.out, id)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&opts.Changes, "change", "c", nil, "apply a Dockerfile instruction to the image's config")
	fs.StringVarP(&opts.Message, "message", "m", "", "message of the image's history entry")
	return cmd
}
