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
	return errdefs.Kindf(errdefs.ErrInvalidArgument, "invalid pull option: %q: must be one of %q, %q or %q", p, pullMissing, pullAlways, pullNever)
}

// createWithPull creates the container of req as Docker's run and
// create do with --pull: always pulls the image first; missing (the
// default) tries the create and, when it fails because the image is not
// in the store, says so on stderr ("Unable to find image
// 'busybox:latest' locally"), pulls it and creates again; never fails
// there with Docker's "No such image". The pull's progress goes to
// stderr, so that stdout only has the container's id or output.
//
// quiet (-q) prints nothing of the pull, as Docker's.
func (c *cli) createWithPull(ctx context.Context, cl *client.Client, req api.ContainerCreate, policy string, quiet bool) (api.ContainerCreated, error) {
	if policy == pullAlways {
		if err := c.pullForRun(ctx, cl, req.Image, quiet); err != nil {
			return api.ContainerCreated{}, err
		}
		return cl.ContainerCreate(ctx, req)
	}
	created, err := cl.ContainerCreate(ctx, req)
	if err == nil || !errors.Is(err, errdefs.ErrNotFound) {
		return created, err
	}
	// Not found: the image, or something else the request names (a
	// network)? Only a missing image is pulled.
	if _, ierr := cl.ImageInspect(ctx, req.Image); !errors.Is(ierr, errdefs.ErrNotFound) {
		return created, err
	}
	if policy == pullNever {
		return created, errdefs.Kindf(errdefs.ErrNotFound, "No such image: %s", withTag(req.Image))
	}
	if !quiet {
		fmt.Fprintf(c.err, "Unable to find image '%s' locally\n", withTag(req.Image))
	}
	if err := c.pullForRun(ctx, cl, req.Image, quiet); err != nil {
		return created, err
	}
	return cl.ContainerCreate(ctx, req)
}

// pullForRun pulls ref with its progress on stderr (none if quiet).
func (c *cli) pullForRun(ctx context.Context, cl *client.Client, ref string, quiet bool) error {
	view := c.layerProgress(quiet)
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
