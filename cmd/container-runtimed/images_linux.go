package main

// The image service: the image routes of docs/API.md over image.Store,
// image.Bootstrap and builder.Builder. It turns the store's types into the
// API's and publishes image events. It lives in the composition root
// because it joins two engines (image and build) and the wire types (api);
// package daemon, the HTTP side, only sees daemon.ImageService.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/builder"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// imageService is the image service over the store and the builder.
type imageService struct {
	Store *image.Store
	// Builder builds with Store; nil makes build unavailable.
	Builder *builder.Builder
	// Events receives build, tag, untag, delete, import and bootstrap events;
	// nil publishes nothing.
	Events daemon.EventPublisher
}

var _ daemon.ImageService = (*imageService)(nil)

func (s *imageService) publish(action, id, name string) {
	if s.Events != nil {
		s.Events.Publish(api.Event{Type: "image", Action: action, ID: id, Name: name})
	}
}

func imageSummary(img image.Image) api.ImageSummary {
	names := img.Names
	if names == nil {
		names = []string{}
	}
	return api.ImageSummary{ID: img.ID.String(), Names: names, Size: img.Size, Created: img.Created}
}

// List implements daemon.ImageService.
func (s *imageService) List(ctx context.Context) ([]api.ImageSummary, error) {
	imgs, err := s.Store.Images(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.ImageSummary, 0, len(imgs))
	for _, img := range imgs {
		out = append(out, imageSummary(img))
	}
	return out, nil
}

// Inspect implements daemon.ImageService.
func (s *imageService) Inspect(ctx context.Context, ref string) (api.ImageInspect, error) {
	img, err := s.Store.Image(ctx, ref)
	if err != nil {
		return api.ImageInspect{}, err
	}
	layers := make([]string, len(img.Layers))
	for i, l := range img.Layers {
		layers[i] = l.String()
	}
	c := img.Config.Config
	return api.ImageInspect{
		ImageSummary: imageSummary(img),
		Layers:       layers,
		Config: api.ImageConfig{
			User:         c.User,
			Env:          c.Env,
			Entrypoint:   c.Entrypoint,
			Cmd:          c.Cmd,
			WorkingDir:   c.WorkingDir,
			Labels:       c.Labels,
			ExposedPorts: c.ExposedPorts,
			Volumes:      c.Volumes,
			StopSignal:   c.StopSignal,
			Healthcheck:  apiHealthcheck(img.Healthcheck),
			Shell:        img.Shell,
		},
		StartupCommands:   img.StartupCommands,
		EntrypointMeaning: img.EntrypointMeaning(),
		OS:                img.Config.OS,
		Architecture:      img.Config.Architecture,
	}, nil
}

// History implements daemon.ImageService (history_linux.go).
func (s *imageService) History(ctx context.Context, ref string) ([]api.HistoryEntry, error) {
	return historyEntries(ctx, s.Store, ref)
}

// Tag implements daemon.ImageService.
func (s *imageService) Tag(ctx context.Context, ref, name string) error {
	if err := s.Store.Tag(ctx, ref, name); err != nil {
		return err
	}
	if img, err := s.Store.Image(ctx, name); err == nil {
		s.publish("tag", img.ID.String(), name)
	}
	return nil
}

// Remove implements daemon.ImageService.
func (s *imageService) Remove(ctx context.Context, ref string, force bool) ([]string, error) {
	// The image's id, for the untag events (best effort: Remove says
	// why a reference does not resolve).
	var imageID string
	if img, err := s.Store.Image(ctx, ref); err == nil {
		imageID = img.ID.String()
	}
	report, err := s.Store.Remove(ctx, ref, force)
	if err != nil {
		return nil, err
	}
	// Docker's events: untag for each name taken away, delete for the
	// image itself.
	for _, line := range report {
		if name, ok := strings.CutPrefix(line, "Untagged: "); ok {
			s.publish("untag", imageID, name)
		}
		if id, ok := strings.CutPrefix(line, "Deleted: "); ok {
			s.publish("delete", id, ref)
		}
	}
	return report, nil
}

// Prune implements daemon.ImageService: dangling images (all: every image no
// container uses) go, then the layers nothing references.
func (s *imageService) Prune(ctx context.Context, all bool) (api.PruneReport, error) {
	imgs, err := s.Store.Images(ctx)
	if err != nil {
		return api.PruneReport{}, err
	}
	var rep api.PruneReport
	for _, img := range imgs {
		if len(img.Names) > 0 && !all {
			continue
		}
		if s.Store.InUse != nil && s.Store.InUse(img.ID) {
			continue
		}
		// By id with force: untag every name, delete the image. An
		// image taken into use meanwhile is kept (Remove checks again).
		lines, err := s.Store.Remove(ctx, img.ID.String(), true)
		if errors.Is(err, errdefs.ErrNotFound) {
			continue
		} else if err != nil {
			return rep, err
		}
		for _, line := range lines {
			if name, ok := strings.CutPrefix(line, "Untagged: "); ok {
				s.publish("untag", img.ID.String(), name)
			}
			if id, ok := strings.CutPrefix(line, "Deleted: "); ok {
				rep.Deleted = append(rep.Deleted, id)
				s.publish("delete", id, "")
			}
		}
	}
	layers, freed, err := s.Store.GC(ctx)
	for _, l := range layers {
		rep.Deleted = append(rep.Deleted, l.String())
	}
	rep.SpaceReclaimed += freed
	return rep, err
}

// PruneBuildCache implements daemon.ImageService.
func (s *imageService) PruneBuildCache(ctx context.Context) (api.PruneReport, error) {
	if err := s.Store.PruneCache(ctx); err != nil {
		return api.PruneReport{}, err
	}
	layers, freed, err := s.Store.GC(ctx)
	rep := api.PruneReport{SpaceReclaimed: freed}
	for _, l := range layers {
		rep.Deleted = append(rep.Deleted, l.String())
	}
	return rep, err
}

// Import implements daemon.ImageService.
func (s *imageService) Import(ctx context.Context, r io.Reader, name string, progress io.Writer) (string, error) {
	fmt.Fprintf(progress, "Importing a root filesystem tarball\n")
	img, err := s.Store.Import(ctx, r, name)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "Imported %s (%d bytes)\n", img.ID, img.Size)
	s.publish("import", img.ID.String(), name)
	return img.ID.String(), nil
}

// Export implements daemon.ImageService.
func (s *imageService) Export(ctx context.Context, ref string, w io.Writer) error {
	return s.Store.Export(ctx, ref, w)
}

// Bootstrap implements daemon.ImageService.
func (s *imageService) Bootstrap(ctx context.Context, req api.BootstrapRequest, progress io.Writer) (string, error) {
	img, err := image.Bootstrap(ctx, s.Store, image.BootstrapOptions{
		Name: req.Name, Suite: req.Suite, Variant: req.Variant, Mirror: req.Mirror, Progress: progress,
	})
	if err != nil {
		return "", err
	}
	name := req.Name
	if name == "" {
		name = "base"
	}
	s.publish("bootstrap", img.ID.String(), name)
	return img.ID.String(), nil
}

// Build implements daemon.ImageService.
func (s *imageService) Build(ctx context.Context, req api.BuildRequest, progress io.Writer) (string, error) {
	if s.Builder == nil {
		return "", fmt.Errorf("building: %w: this daemon has no builder", errdefs.ErrUnavailable)
	}
	img, err := s.Builder.Build(ctx, builder.Options{
		Tags:       req.Tags,
		Dockerfile: req.Dockerfile,
		ContextDir: req.ContextDir,
		// Nil without content: the builder then reads the path.
		DockerfileContent: contentBytes(req.DockerfileContent),
		BuildArgs:         req.BuildArgs,
		NoCache:           req.NoCache,
		Target:            req.Target,
		Network:           req.Network,
		EntrypointMeaning: req.EntrypointMeaning,
		Labels:            req.Labels,
		Pull:              req.Pull,
		Progress:          progress,
	})
	if err != nil {
		return "", err
	}
	s.publish("build", img.ID.String(), strings.Join(req.Tags, ","))
	return img.ID.String(), nil
}

// contentBytes is s as bytes, nil when empty.
func contentBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// DiskUsage implements daemon.ImageService: ImagesSize counts each layer an
// image uses once; LayersSize is every layer in the store; BuildCache is
// what the layers no image uses hold (kept by the build cache or young).
func (s *imageService) DiskUsage(ctx context.Context) (api.DiskUsage, error) {
	imgs, err := s.Store.Images(ctx)
	if err != nil {
		return api.DiskUsage{}, err
	}
	layers, err := s.Store.Layers(ctx)
	if err != nil {
		return api.DiskUsage{}, err
	}
	used := map[digest.Digest]bool{}
	for _, img := range imgs {
		for _, l := range img.Layers {
			used[l] = true
		}
	}
	var du api.DiskUsage
	for _, l := range layers {
		du.LayersSize += l.Size
		if used[l.DiffID] {
			du.ImagesSize += l.Size
		} else {
			du.BuildCache += l.Size
		}
	}
	return du, nil
}
