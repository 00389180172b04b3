package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// bootstrapCommand makes a Debian image with debootstrap (the seed's base).
func (c *cli) bootstrapCommand() *cobra.Command {
	var req api.BootstrapRequest
	cmd := &cobra.Command{
		Use:   "bootstrap [--suite SUITE] [--variant VARIANT] [--mirror URL] [NAME]",
		Short: "Make a Debian image with debootstrap (default name base)",
		Long: `Make a Debian image with debootstrap on the daemon's machine. The seed's base
image is made this way once, at installation. Nothing is done when the image
exists already.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				req.Name = args[0]
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			var view progressView = &plainView{w: c.out}
			if _, ok := terminal(c.out); ok {
				view = newBootstrapBars(c.out)
			}
			return c.printAfter(view, func(update func(api.Progress)) (string, error) {
				return cl.Bootstrap(cmd.Context(), req, update)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&req.Suite, "suite", "", "Debian suite (default the daemon's, e.g. bookworm)")
	fs.StringVar(&req.Variant, "variant", "", "debootstrap variant (e.g. minbase)")
	fs.StringVar(&req.Mirror, "mirror", "", "Debian mirror URL")
	return cmd
}

// imageImportCommand makes an image from a root filesystem tar: `image
// import` is the top-level import.
func (c *cli) imageImportCommand() *cobra.Command { return c.importCommand() }

// imageExportCommand writes an image's flattened root filesystem as a tar.
func (c *cli) imageExportCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "export [-o FILE] IMAGE",
		Short:             "Write an image's flattened root filesystem as a tar (to stdout or -o FILE)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeImages,
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
			if err := cl.ImageExport(cmd.Context(), args[0], w); err != nil {
				return err
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
