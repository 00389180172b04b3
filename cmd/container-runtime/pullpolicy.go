package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/errdefs"
)

// The values of run's and create's --pull, as Docker's.
const (
	pullMissing = "missing" // pull when the store has no such image (the default)
	pullAlways  = "always"  // pull before every create
	pullNever   = "never"   // never pull: a missing image is an error
)

// checkPullPolicy validates --pull.
func checkPullPolicy(p string) error {
	switch p {
	case pullMissing, pullAlways, pullNever:
		return nil
	}
	return fmt.Errorf("invalid pull option: %q: must be one of %q, %q or %q: %w", p, pullMissing, pullAlways, pullNever, errdefs.ErrInvalidArgument)
}

// ensureImage makes the image of a create present as policy says: it
// pulls it always, or when it is missing after saying so on stderr
// ("Unable to find image 'busybox:latest' locally"), or never, when a
// missing image gets Docker's "No such image". The pull's progress goes
// to stderr, so that stdout only has the container's id or output.
func (c *cli) ensureImage(ctx context.Context, cl *client.Client, ref, policy string) error {
	if policy != pullAlways {
		_, err := cl.ImageInspect(ctx, ref)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, errdefs.ErrNotFound):
			return err
		case policy == pullNever:
			return fmt.Errorf("No such image: %s: %w", withTag(ref), errdefs.ErrNotFound)
		}
		fmt.Fprintf(c.err, "Unable to find image '%s' locally\n", withTag(ref))
	}
	view := c.layerProgress(false)
	_, err := cl.ImagePull(ctx, api.PullRequest{Ref: ref}, view.update)
	view.close(err == nil)
	if err != nil {
		return fmt.Errorf("pulling %s: %w", ref, err)
	}
	return nil
}

// withTag adds the default tag to a name that has neither a tag nor a
// digest, as Docker prints it.
func withTag(ref string) string {
	last := ref[strings.LastIndexByte(ref, '/')+1:]
	if strings.ContainsAny(last, ":@") {
		return ref
	}
	return ref + ":latest"
}
