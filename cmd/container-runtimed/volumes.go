package main

// The volume service: the volume routes of docs/API.md over
// volume.Store. It turns the store's records into the API's, applies
// Docker's filters and publishes volume events; like the network
// service, it lives here so that the engine stays free of wire types.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/volume"
)

// volumeService is the volume service over a Store.
type volumeService struct {
	Store *volume.Store
	// Events receives "volume" events (create, destroy); nil publishes
	// nothing.
	Events daemon.EventPublisher
}

var _ daemon.VolumeService = (*volumeService)(nil)

// Create makes a volume, or returns the one of that name.
func (s *volumeService) Create(ctx context.Context, req api.VolumeCreate) (api.Volume, error) {
	existed := false
	if req.Name != "" {
		_, err := s.Store.Get(req.Name)
		existed = err == nil
	}
	v, err := s.Store.Create(ctx, volume.CreateOptions{Name: req.Name, Driver: req.Driver, DriverOpts: req.DriverOpts, Labels: req.Labels})
	if err != nil {
		return api.Volume{}, err
	}
	if !existed {
		s.publish("create", v.Name)
	}
	return s.apiVolume(v), nil
}

// List lists the volumes that pass every filter.
func (s *volumeService) List(ctx context.Context, opts api.VolumeListOptions) ([]api.Volume, error) {
	match, err := volumeFilter(opts.Filters, "name", "label", "dangling")
	if err != nil {
		return nil, err
	}
	var out []api.Volume
	for _, v := range s.Store.List() {
		av := s.apiVolume(v)
		if match(av) {
			out = append(out, av)
		}
	}
	return out, nil
}

// Inspect describes one volume.
func (s *volumeService) Inspect(ctx context.Context, name string) (api.Volume, error) {
	v, err := s.Store.Get(name)
	if err != nil {
		return api.Volume{}, err
	}
	return s.apiVolume(v), nil
}

// Remove removes a volume no container uses; with force a missing one is
// no error (an in-use one still is, as Docker).
func (s *volumeService) Remove(ctx context.Context, name string, force bool) error {
	err := s.Store.Remove(ctx, name)
	if force && errors.Is(err, errdefs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.publish("destroy", name)
	return nil
}

// Prune removes the unused volumes that pass the filters: anonymous
// ones only unless opts.All.
func (s *volumeService) Prune(ctx context.Context, opts api.VolumePruneOptions) (api.PruneReport, error) {
	match, err := volumeFilter(opts.Filters, "label", "label!")
	if err != nil {
		return api.PruneReport{}, err
	}
	// match sees the labels only: the store holds its lock meanwhile,
	// and whether the volume is used is the store's to judge.
	names, space, err := s.Store.Prune(ctx, func(v volume.Volume) bool {
		return (opts.All || v.Anonymous()) && match(api.Volume{Name: v.Name, Labels: v.Labels})
	})
	for _, n := range names {
		s.publish("destroy", n)
	}
	return api.PruneReport{Deleted: names, SpaceReclaimed: space}, err
}

// DiskUsage measures each volume's content, as Docker's system df: a
// volume that cannot be measured has Size -1 (and a warning in the log),
// the others are still measured; only the request's end stops it.
func (s *volumeService) DiskUsage(ctx context.Context) ([]api.VolumeUsage, error) {
	var out []api.VolumeUsage
	for _, v := range s.Store.List() {
		size, err := volume.Size(ctx, v.Mountpoint)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("measuring the volumes: %w", ctxErr)
		}
		if err != nil {
			logctx.From(ctx).Warn("cannot measure a volume", "volume", v.Name, "error", err)
			size = -1
		}
		out = append(out, api.VolumeUsage{Name: v.Name, Size: size, RefCount: len(s.Store.Users(v.Name))})
	}
	return out, nil
}

func (s *volumeService) publish(action, name string) {
	if s.Events != nil {
		s.Events.Publish(api.Event{Type: "volume", Action: action, ID: name, Name: name,
			Attributes: map[string]string{"driver": volume.Driver}})
	}
}

// apiVolume describes v with its users.
func (s *volumeService) apiVolume(v volume.Volume) api.Volume {
	return api.Volume{
		Name: v.Name, Driver: volume.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt,
		Labels: v.Labels, Scope: "local", UsedBy: s.Store.Users(v.Name),
	}
}

// volumeFilter compiles Docker's volume filters, of the keys allowed:
// name (a substring of the name; any of several), label and label!
// (KEY or KEY=VALUE; all of several), dangling (true or false: no
// container uses it).
func volumeFilter(filters map[string][]string, allowed ...string) (func(api.Volume) bool, error) {
	var tests []func(api.Volume) bool
	for key, values := range filters {
		if !slices.Contains(allowed, key) {
			return nil, fmt.Errorf("invalid filter %q (want one of %s): %w", key, strings.Join(allowed, ", "), errdefs.ErrInvalidArgument)
		}
		switch key {
		case "name":
			tests = append(tests, func(v api.Volume) bool {
				for _, want := range values {
					if strings.Contains(v.Name, want) {
						return true
					}
				}
				return false
			})
		case "label", "label!":
			negate := key == "label!"
			for _, want := range values {
				k, val, hasVal := strings.Cut(want, "=")
				tests = append(tests, func(v api.Volume) bool {
					got, ok := v.Labels[k]
					return (ok && (!hasVal || got == val)) != negate
				})
			}
		case "dangling":
			for _, want := range values {
				d, err := strconv.ParseBool(want)
				if err != nil {
					return nil, fmt.Errorf("invalid filter 'dangling=%s': want true or false: %w", want, errdefs.ErrInvalidArgument)
				}
				tests = append(tests, func(v api.Volume) bool { return (len(v.UsedBy) == 0) == d })
			}
		}
	}
	return func(v api.Volume) bool {
		for _, t := range tests {
			if !t(v) {
				return false
			}
		}
		return true
	}, nil
}
