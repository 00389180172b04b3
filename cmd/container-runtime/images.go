package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// imageCommand groups the image subcommands; `image list` is the seed's.
func (c *cli) imageCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images (the seed's `image list`, and Docker's image commands)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	ls := c.imagesCommand()
	ls.Use = "ls [-q] [--format json]"
	ls.Aliases = []string{"list"}
	ls.Short = "List images (the seed's `image list`)"
	rm := c.rmiCommand()
	rm.Use = "rm [-f] IMAGE..."
	cmd.AddCommand(ls, rm, c.imageInspectCommand(), c.imageHistoryCommand(), c.imageTagCommand(),
		c.imageImportCommand(), c.imageExportCommand(), c.bootstrapCommand(), c.imagePruneCommand())
	cmd.AddCommand(c.imageDistributionCommands()...)
	return cmd
}

// imagesCommand is Docker's images.
func (c *cli) imagesCommand() *cobra.Command {
	var (
		quiet, noTrunc bool
		format         string
		f              imagesFlags
	)
	cmd := &cobra.Command{
		Use:   "images [-a] [-q] [--digests] [--filter KEY=VALUE] [--format json] [REPOSITORY[:TAG]]",
		Short: "List images",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, list, err := fetch(c, cmd, format, func(cl *client.Client, ctx context.Context) ([]api.ImageSummary, error) {
				return cl.ImageListWith(ctx, f.options(args))
			})
			if err != nil {
				return refused(err)
			}
			switch {
			case quiet:
				for _, im := range list {
					if noTrunc {
						fmt.Fprintln(c.out, im.ID)
					} else {
						fmt.Fprintln(c.out, shortID(im.ID))
					}
				}
			case out.isTable() && f.digests:
				return imagesDigestTable(c.out, list, !noTrunc)
			case out.isTable():
				return imagesTable(c.out, list, !noTrunc)
			default:
				now := time.Now()
				var rows []any
				for _, im := range list {
					for _, r := range imageRows(im, !noTrunc, now) {
						rows = append(rows, r)
					}
				}
				return out.list(c.out, imagesHeader, rows)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only image ids")
	fs.BoolVar(&noTrunc, "no-trunc", false, "print whole ids")
	fs.StringVar(&format, "format", "", "table (default), json (one object per line), a Go template ('{{.Repository}}:{{.Tag}}') or 'table TEMPLATE'")
	f.add(cmd)
	return cmd
}

// imagesTable prints one row per image name, as Docker does.
func imagesTable(w io.Writer, list []api.ImageSummary, trunc bool) error {
	now := time.Now()
	t := newTable(w, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")
	for _, im := range list {
		for _, r := range imageRows(im, trunc, now) {
			t.row(r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size)
		}
	}
	return t.flush()
}

// rmiCommand is Docker's rmi.
func (c *cli) rmiCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "rmi [-f] IMAGE...",
		Short:             "Remove images",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeImages,
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			failed := false
			for _, ref := range args {
				gone, err := cl.ImageRemove(cmd.Context(), ref, force)
				if err != nil {
					fmt.Fprintf(c.err, "container-runtime: %s\n", oneLine(err.Error()))
					failed = true
					continue
				}
				for _, g := range gone {
					switch {
					case strings.HasPrefix(g, "Untagged:"), strings.HasPrefix(g, "Deleted:"):
						fmt.Fprintln(c.out, g)
					case strings.HasPrefix(g, "sha256:"):
						fmt.Fprintf(c.out, "Deleted: %s\n", g)
					default:
						fmt.Fprintf(c.out, "Untagged: %s\n", g)
					}
				}
			}
			if failed {
				return &statusError{code: exitEngine}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove even when containers use the image")
	return cmd
}

func (c *cli) imageInspectCommand() *cobra.Command {
	cmd := c.inspectCommand()
	cmd.Use = "inspect [--format json|TEMPLATE] IMAGE..."
	cmd.Short = "Show the details of images as JSON"
	cmd.Long = ""
	cmd.Flags().Set("type", "image")
	cmd.Flags().MarkHidden("type")
	cmd.ValidArgsFunction = c.completeImages
	return cmd
}

func (c *cli) imageTagCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "tag IMAGE NAME[:TAG]",
		Short:             "Give an image another name",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: c.completeImages,
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			return cl.ImageTag(cmd.Context(), args[0], args[1])
		},
	}
}

func (c *cli) imagePruneCommand() *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "prune [-a] [-f]",
		Short: "Remove dangling images (every unused image with -a)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			what := "all dangling images"
			if all {
				what = "all images without at least one container associated to them"
			}
			if !force && !c.confirm("WARNING! This will remove "+what+".") {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			r, err := cl.ImagePrune(cmd.Context(), all)
			if err != nil {
				return err
			}
			c.printPrune(r)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}
