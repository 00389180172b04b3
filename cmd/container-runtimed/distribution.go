package main

// The distribution service: the pull, push, save, load, login and logout
// routes of docs/API.md over package distribution. It turns the API's
// requests into the library's options (per-request credentials, insecure
// registries) and its progress into api.Progress lines, and publishes
// image events; package daemon, the HTTP side, only sees
// daemon.DistributionService. It lives here because it joins two engines
// (distribution and image) and the wire types.

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
)

// distributionService is the distribution service over a
// distribution.Service and the store it fills.
type distributionService struct {
	Dist  *distribution.Service
	Store *image.Store
	// Insecure are the registries (host[:port]) plain HTTP is allowed to
	// without the request asking (the daemon's --insecure-registry), when
	// a reference names them. Loopback registries need not be listed.
	Insecure []string
	// Events receives pull, push, save and load events; nil publishes
	// nothing.
	Events daemon.EventPublisher
}

var _ daemon.DistributionService = (*distributionService)(nil)

func (s *distributionService) publish(action, id, name string) {
	if s.Events != nil {
		s.Events.Publish(api.Event{Type: "image", Action: action, ID: id, Name: name})
	}
}

// Pull implements daemon.DistributionService.
func (s *distributionService) Pull(ctx context.Context, req api.PullRequest, progress func(api.Progress)) (string, error) {
	img, err := s.Dist.Pull(ctx, req.Ref, distribution.PullOptions{
		Platform: req.Platform,
		Insecure: s.insecure(req.Insecure, namedRegistry(req.Ref)),
		Auth:     keychain(req.Auth),
		Progress: apiProgress(progress),
	})
	if err != nil {
		return "", err
	}
	s.publish("pull", img.ID.String(), req.Ref)
	return img.ID.String(), nil
}

// PullFunc returns what builder.Builder.Pull wants: a pull without progress
// or per-request credentials (FROM of an image the store lacks).
func (s *distributionService) PullFunc() func(ctx context.Context, ref string) (image.Image, error) {
	return func(ctx context.Context, ref string) (image.Image, error) {
		img, err := s.Dist.Pull(ctx, ref, distribution.PullOptions{Insecure: s.insecure(false, namedRegistry(ref))})
		if err != nil {
			return image.Image{}, err
		}
		s.publish("pull", img.ID.String(), ref)
		return img, nil
	}
}

// Push implements daemon.DistributionService.
func (s *distributionService) Push(ctx context.Context, ref string, req api.PushRequest, progress func(api.Progress)) (string, string, error) {
	img, err := s.Store.Image(ctx, ref)
	if err != nil {
		return "", "", err
	}
	dg, err := s.Dist.Push(ctx, ref, distribution.PushOptions{
		Insecure: s.insecure(req.Insecure, namedRegistry(ref)),
		Auth:     keychain(req.Auth),
		Progress: apiProgress(progress),
	})
	if err != nil {
		return "", "", err
	}
	s.publish("push", img.ID.String(), ref)
	return img.ID.String(), dg.String(), nil
}

// Save implements daemon.DistributionService.
func (s *distributionService) Save(ctx context.Context, refs []string, format string, w io.Writer) error {
	if err := s.Dist.Save(ctx, refs, w, format); err != nil {
		return err
	}
	s.publish("save", "", strings.Join(refs, ","))
	return nil
}

// Load implements daemon.DistributionService.
func (s *distributionService) Load(ctx context.Context, r io.Reader, progress func(api.Progress)) ([]api.ImageSummary, error) {
	imgs, err := s.Dist.Load(ctx, r, apiProgress(progress))
	out := make([]api.ImageSummary, 0, len(imgs))
	for _, img := range imgs {
		names := img.Names
		if names == nil {
			names = []string{}
		}
		out = append(out, api.ImageSummary{ID: img.ID.String(), Names: names, Size: img.Size, Created: img.Created})
		s.publish("load", img.ID.String(), strings.Join(names, ","))
	}
	return out, err
}

// Login implements daemon.DistributionService.
func (s *distributionService) Login(ctx context.Context, req api.LoginRequest) error {
	return s.Dist.Login(ctx, req.Registry, req.Username, req.Password, distribution.LoginOptions{
		Insecure: s.insecure(req.Insecure, req.Registry),
	})
}

// Logout implements daemon.DistributionService.
func (s *distributionService) Logout(ctx context.Context, registry string) error {
	return s.Dist.Logout(ctx, registry)
}

// insecure reports whether plain HTTP is allowed to registry (empty: the
// reference names none, and then never by configuration).
func (s *distributionService) insecure(asked bool, registry string) bool {
	return asked || (registry != "" && slices.Contains(s.Insecure, strings.ToLower(registry)))
}

// namedRegistry returns the registry a reference names, or "" when it
// names none (Docker Hub by default). As Docker reads it: the first
// component is a host when it has a dot or a port, or is localhost.
func namedRegistry(ref string) string {
	host, _, ok := strings.Cut(ref, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return ""
	}
	return strings.ToLower(host)
}

// keychain turns per-request credentials into a keychain; nil (none
// given) leaves the service's stored credentials in charge. A pull or
// push talks to the one registry its reference names, so the credentials
// go to that registry (and its token server) only.
func keychain(a *api.RegistryAuth) distribution.Keychain {
	if a == nil || *a == (api.RegistryAuth{}) {
		return nil
	}
	return requestAuth{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken}
}

// requestAuth answers every registry with the same credentials.
type requestAuth distribution.Credentials

// Credentials implements distribution.Keychain.
func (a requestAuth) Credentials(context.Context, string) (distribution.Credentials, error) {
	return distribution.Credentials(a), nil
}

// apiProgress adapts an api progress function to the library's (nil stays
// nil).
func apiProgress(fn func(api.Progress)) func(distribution.Progress) {
	if fn == nil {
		return nil
	}
	return func(p distribution.Progress) {
		fn(api.Progress{Layer: p.ID, Status: p.Status, Current: p.Current, Total: p.Total})
	}
}
