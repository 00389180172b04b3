package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// distributionCommands are the top-level pull, push, save, load, login
// and logout.
func (c *cli) distributionCommands() []*cobra.Command {
	return []*cobra.Command{c.pullCommand(), c.pushCommand(), c.saveCommand(), c.loadCommand(),
		c.loginCommand(), c.logoutCommand()}
}

// imageDistributionCommands are `image pull`, `image push`, `image save`
// and `image load`.
func (c *cli) imageDistributionCommands() []*cobra.Command {
	return []*cobra.Command{c.pullCommand(), c.pushCommand(), c.saveCommand(), c.loadCommand()}
}

// pullCommand is Docker's pull.
func (c *cli) pullCommand() *cobra.Command {
	var (
		req   api.PullRequest
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "pull [--platform OS/ARCH] [--insecure] NAME[:TAG|@DIGEST]",
		Short: "Pull an image from a registry",
		Long: `Pull an image from an OCI distribution registry into the daemon's store.
A name without a registry is on Docker Hub ("debian" is
docker.io/library/debian:latest). Layers the store has are not downloaded
again. Credentials are those stored with login.

--insecure allows plain HTTP to the registry the name gives (registries on
127.0.0.1 and localhost never need it).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Ref = args[0]
			cl, err := c.client()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.err, "Pulling %s\n", req.Ref)
			view := c.layerProgress(quiet)
			return c.printAfter(view, func(update func(api.Progress)) (string, error) {
				return cl.ImagePull(cmd.Context(), req, update)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&req.Platform, "platform", "", "the platform of a multi-platform image (os/arch[/variant]; default the daemon's)")
	fs.BoolVar(&req.Insecure, "insecure", false, "allow plain HTTP to the registry the name gives")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only the image id")
	return cmd
}

// pushCommand is Docker's push.
func (c *cli) pushCommand() *cobra.Command {
	var (
		req   api.PushRequest
		quiet bool
	)
	cmd := &cobra.Command{
		Use:   "push [--insecure] NAME[:TAG]",
		Short: "Push an image to a registry",
		Long: `Push an image to the registry its name gives (tag it first to push it
elsewhere: container-runtime image tag app registry.example:5000/team/app:1).
Blobs the registry has are not sent again. Prints the manifest's digest.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeImages,
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.err, "Pushing %s\n", args[0])
			view := c.layerProgress(quiet)
			return c.printAfter(view, func(update func(api.Progress)) (string, error) {
				return cl.ImagePush(cmd.Context(), args[0], req, update)
			})
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&req.Insecure, "insecure", false, "allow plain HTTP to the registry the name gives")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only the digest")
	return cmd
}
