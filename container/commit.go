package container

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// Commit makes an image of the container (`commit`): its image's layers
// plus one new layer holding the container's changes (its overlay upper
// directory, whiteouts as OCI whiteouts), with the container's config
// (its command, environment, working directory, user, labels, exposed
// ports, stop signal) and req.Changes applied over it. A running
// container is frozen while its files are read when req.Pause is set.
// Returns the new image's id.
func (s *Service) Commit(ctx context.Context, ref string, req api.ContainerCommit) (string, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return "", err
	}
	// Validate everything the request says before any work.
	if req.Reference != "" {
		if _, err := image.NormalizeName(req.Reference); err != nil {
			return "", fmt.Errorf("committing container %s: %w", ref, err)
		}
	}
	e.op.Lock()
	defer e.op.Unlock()
	if e.isRemoved() {
		return "", errdefs.Kindf(errdefs.ErrNotFound, "no such container: %s", ref)
	}
	r := e.snapshot()
	cfg, history, err := s.commitConfig(ctx, r)
	if err != nil {
		return "", err
	}
	if err := image.ApplyChangesWithShell(&cfg, r.Config.Shell, req.Changes); err != nil {
		return "", fmt.Errorf("committing container %s: %w", r.Name, err)
	}

	if req.Pause && r.State.Status == StateRunning {
		if err := s.rt.Pause(ctx, r.ID); err != nil {
			return "", fmt.Errorf("pausing container %s to commit it: %w", r.Name, err)
		}
		defer func() {
			if err := s.rt.Resume(context.WithoutCancel(ctx), r.ID); err != nil {
				logctx.From(ctx).Warn("resuming after a commit", "container", r.ID, "error", err)
			}
		}()
	}
	ctx, release := s.images.WithLease(ctx)
	defer release()
	if !s.images.Lease(ctx, r.Layers...) {
		return "", errdefs.Kindf(errdefs.ErrNotFound, "committing container %s: its image's layers are gone", r.Name)
	}
	layer, err := s.upperLayer(ctx, r, differ{lowers: s.images.LowerDirs(r.Layers), mounts: s.mountPoints(e)})
	if err != nil {
		return "", fmt.Errorf("committing container %s: %w", r.Name, err)
	}

	now := time.Now().UTC()
	history = append(history, ocispec.History{
		Created: &now, Author: req.Author, Comment: req.Comment,
		CreatedBy: strings.Join(r.Command, " "),
	})
	img := image.Image{
		Layers:          append(append([]digest.Digest(nil), r.Layers...), layer.DiffID),
		Created:         now,
		StartupCommands: r.StartupCommands,
		// Docker's commit keeps the container's Config.Healthcheck and
		// Config.Shell, which the OCI config cannot hold.
		Healthcheck: imageHealthcheck(r.Healthcheck),
		Shell:       r.Config.Shell,
		Config: ocispec.Image{
			Author:  req.Author,
			Config:  cfg,
			History: history,
		},
	}
	var names []string
	if req.Reference != "" {
		names = append(names, req.Reference)
	}
	out, err := s.images.CreateImage(ctx, img, names...)
	if err != nil {
		return "", fmt.Errorf("committing container %s: %w", r.Name, err)
	}
	logctx.From(ctx).Info("container committed", "container", r.ID, "image", out.ID)
	s.publish(r, "commit", nil)
	return out.ID.String(), nil
}

// commitConfig is the config a commit of r starts from: its image's,
// overridden by what the container was created with; and the image's
// history.
func (s *Service) commitConfig(ctx context.Context, r *record) (ocispec.ImageConfig, []ocispec.History, error) {
	var (
		cfg     ocispec.ImageConfig
		history []ocispec.History
	)
	img, err := s.images.Image(ctx, r.ImageID.String())
	switch {
	case err == nil:
		cfg, history = img.Config.Config, img.Config.History
	case !errors.Is(err, errdefs.ErrNotFound):
		return cfg, nil, fmt.Errorf("committing container %s: %w", r.Name, err)
	}
	c := r.Config
	env, err := mergeEnv(cfg.Env, c.Env)
	if err != nil {
		return cfg, nil, err
	}
	cfg.Env = env
	if c.Entrypoint != nil {
		cfg.Entrypoint, cfg.Cmd = c.Entrypoint, nil
	}
	if len(c.Cmd) > 0 {
		cfg.Cmd = c.Cmd
	}
	if c.WorkingDir != "" {
		cfg.WorkingDir = c.WorkingDir
	}
	if c.User != "" {
		cfg.User = c.User
	}
	if c.StopSignal != "" {
		cfg.StopSignal = c.StopSignal
	}
	if len(c.Labels) > 0 {
		cfg.Labels = maps.Clone(cfg.Labels)
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		maps.Copy(cfg.Labels, c.Labels)
	}
	if len(r.Ports) > 0 {
		cfg.ExposedPorts = maps.Clone(cfg.ExposedPorts)
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range r.Ports {
			proto := p.Proto
			if proto == "" {
				proto = "tcp"
			}
			cfg.ExposedPorts[fmt.Sprintf("%d/%s", p.ContainerPort, proto)] = struct{}{}
		}
	}
	return cfg, append([]ocispec.History(nil), history...), nil
}

// upperLayer commits the container's upper directory as a layer: streamed
// as an OCI layer tar (archive.WriteDiff) into the image store, without
// the mount points the runtime made (d tells them), owners mapped back to
// the container's ids for a private user namespace.
func (s *Service) upperLayer(ctx context.Context, r *record, d differ) (image.Layer, error) {
	upper := filepath.Join(s.containerDir(r.ID), "upper")
	write := func(w io.Writer) error { return archive.WriteDiff(ctx, w, upper) }
	shift := r.usernsRange()
	filter := func(h *tar.Header) (bool, error) {
		cpath := path.Clean("/" + h.Name)
		if d.runtimeMade(cpath, h.Typeflag == tar.TypeDir, h.Size) && (h.Typeflag == tar.TypeDir || h.Typeflag == tar.TypeReg) {
			return false, nil
		}
		if shift != 0 {
			h.Uid, h.Gid = unshiftOwn(h.Uid, shift), unshiftOwn(h.Gid, shift)
		}
		return true, nil
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(pipeTarFunc(ctx, pw, write, filter))
	}()
	layer, err := s.images.ApplyTar(ctx, pr)
	pr.CloseWithError(errConsumerDone)
	<-done
	return layer, err
}

// unshiftOwn maps a host id of a private user namespace back to the
// container's id; ids below the range (a whiteout's 0) stay.
func unshiftOwn(id int, shift uint32) int {
	if id < int(shift) {
		return id
	}
	return unshift(id, shift)
}
