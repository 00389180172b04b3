package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
)

// saveCommand is Docker's save.
func (c *cli) saveCommand() *cobra.Command {
	var output, format string
	cmd := &cobra.Command{
		Use:   "save [-o FILE] [--format docker|oci] IMAGE...",
		Short: "Write images to a tar archive (docker load and podman load read it)",
		Long: `Write images, with their names, layers and configs, to a tar archive: a
docker-archive by default (what docker save writes; docker load and podman
load read it), or an OCI image layout with --format oci. The archive goes
to FILE, or to stdout when it is not a terminal.`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeImages,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case api.SaveFormatDocker, api.SaveFormatOCI:
			default:
				return fmt.Errorf("--format %q: want %s or %s", format, api.SaveFormatDocker, api.SaveFormatOCI)
			}
			if output == "" {
				if _, ok := terminal(c.out); ok {
					return fmt.Errorf("refusing to write an archive to a terminal: use -o FILE or redirect the output")
				}
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			if output == "" {
				return cl.ImageSave(cmd.Context(), args, format, c.out)
			}
			// A temporary file renamed at the end: a failed save leaves
			// no truncated archive behind, nor clobbers an older one.
			return atomicfile.WriteFunc(output, 0o644, func(w io.Writer) error {
				return cl.ImageSave(cmd.Context(), args, format, w)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	fs.StringVar(&format, "format", api.SaveFormatDocker, "docker (docker-archive) or oci (OCI image layout)")
	return cmd
}

// loadCommand is Docker's load.
func (c *cli) loadCommand() *cobra.Command {
	var (
		input string
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "load [-i FILE] [-q]",
		Short: "Load images from a tar archive (docker save, podman save, or ours)",
		Long: `Load the images of a docker-archive or OCI image layout tar, plain or
gzip- or bzip2-compressed, from FILE or stdin, and give them the names
the archive holds.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = c.in
			if input != "" && input != "-" {
				f, err := os.Open(input)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			} else if _, ok := terminal(c.in); ok {
				return fmt.Errorf("refusing to read an archive from a terminal: use -i FILE or redirect the input")
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			view := c.layerProgress(quiet)
			loaded, err := cl.ImageLoad(cmd.Context(), r, view.update)
			view.close(err == nil)
			if err != nil {
				return err
			}
			for _, name := range loaded {
				if isImageID(name) {
					fmt.Fprintf(c.out, "Loaded image ID: %s\n", name)
				} else {
					fmt.Fprintf(c.out, "Loaded image: %s\n", name)
				}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&input, "input", "i", "", "read from FILE instead of stdin")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only what was loaded")
	return cmd
}

// isImageID reports whether s is a full image id ("sha256:<hex>").
func isImageID(s string) bool {
	const prefix = "sha256:"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return false
	}
	for _, r := range s[len(prefix):] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
