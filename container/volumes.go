package container

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/volume"
)

// volumeMount is a volume as one container mounts it.
type volumeMount struct {
	Name        string `json:"name"`
	Destination string `json:"destination"`
	// Source is the volume's content directory on the host.
	Source    string `json:"source"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
	Anonymous bool   `json:"anonymous,omitempty"`
	// CopyPending is set until the first start copied the image's files
	// at Destination into the volume (if it was empty); nocopy and
	// volumes taken with --volumes-from never copy.
	CopyPending bool `json:"copyPending,omitempty"`
}

// mountPlan is what a create resolved of the request's mounts.
type mountPlan struct {
	// spec are the mounts the spec is built from: the request's binds
	// and tmpfs, the binds of --volumes-from, and each volume as a bind
	// of its content directory.
	spec []api.Mount
	// volumes and inherited (binds of --volumes-from) go into the record.
	volumes   []volumeMount
	inherited []api.Mount
}

// planMounts resolves the request's volumes (-v NAME:/p, -v /p, --mount
// type=volume), its --volumes-from and the image's VOLUMEs, in Docker's
// order of precedence: the request's own mounts, then those of
// --volumes-from, then the image's, each destination once. It takes
// every volume for the container id, making those that do not exist;
// release undoes that (and removes the volumes made) when the create
// fails.
func (s *Service) planMounts(ctx context.Context, id string, req api.ContainerCreate, img image.Image) (plan mountPlan, release func(), retErr error) {
	taken := map[string]bool{}
	for _, m := range req.Mounts {
		if m.Type != "volume" {
			plan.spec = append(plan.spec, m)
			taken[filepath.Clean(m.Destination)] = true
			continue
		}
		vm, err := requestedVolume(m)
		if err != nil {
			return plan, nil, err
		}
		if taken[vm.Destination] {
			return plan, nil, fmt.Errorf("duplicate mount point %s: %w", vm.Destination, errdefs.ErrInvalidArgument)
		}
		taken[vm.Destination] = true
		plan.volumes = append(plan.volumes, vm)
	}
	for _, from := range req.VolumesFrom {
		if err := s.inheritMounts(from, taken, &plan); err != nil {
			return plan, nil, err
		}
	}
	for _, p := range slices.Sorted(maps.Keys(img.Config.Config.Volumes)) {
		dest := filepath.Clean(p)
		if !filepath.IsAbs(dest) || dest == "/" || taken[dest] {
			continue
		}
		taken[dest] = true
		plan.volumes = append(plan.volumes, volumeMount{Destination: dest, Anonymous: true, CopyPending: true})
	}
	if len(plan.volumes) == 0 {
		return plan, func() {}, nil
	}
	if s.volumes == nil {
		return plan, nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon keeps no volumes")
	}
	if req.Userns == "private" {
		return plan, nil, fmt.Errorf("volumes are not supported with --userns private (the volume's directory is private to the host's root): %w",
			errdefs.ErrInvalidArgument)
	}
	var made []string
	release = func() {
		for _, v := range plan.volumes {
			if v.Name != "" {
				s.volumes.Release(v.Name, id)
			}
		}
		for _, name := range made {
			if _, err := s.volumes.RemoveUnused(context.WithoutCancel(ctx), name); err != nil {
				logctx.From(ctx).Warn("removing a volume made for a failed create", "volume", name, "error", err)
			}
		}
	}
	defer func() {
		if retErr != nil {
			release()
		}
	}()
	for i := range plan.volumes {
		vm := &plan.volumes[i]
		v, created, err := s.volumes.Acquire(ctx, vm.Name, id)
		if err != nil {
			return plan, nil, err
		}
		if created {
			made = append(made, v.Name)
		}
		vm.Name, vm.Source, vm.Anonymous = v.Name, v.Mountpoint, v.Anonymous()
		plan.spec = append(plan.spec, api.Mount{Type: "bind", Source: v.Mountpoint, Destination: vm.Destination, ReadOnly: vm.ReadOnly})
	}
	sortByDepth(plan.spec)
	return plan, release, nil
}

// sortByDepth orders mounts parents first, as Docker does: a volume at
// /data must be mounted before a bind at /data/conf, or it would hide it.
// Mounts of equal depth keep their order.
func sortByDepth(ms []api.Mount) {
	depth := func(m api.Mount) int { return strings.Count(filepath.Clean(m.Destination), "/") }
	slices.SortStableFunc(ms, func(a, b api.Mount) int { return depth(a) - depth(b) })
}

// requestedVolume checks a volume mount of the request: a name (or none:
// anonymous), an absolute destination, and the options ro, rw and
// nocopy.
func requestedVolume(m api.Mount) (volumeMount, error) {
	dest := filepath.Clean(m.Destination)
	if !filepath.IsAbs(m.Destination) || dest == "/" {
		return volumeMount{}, fmt.Errorf("mount destination %q must be an absolute path other than /: %w", m.Destination, errdefs.ErrInvalidArgument)
	}
	if m.Source != "" {
		if err := volume.CheckName(m.Source); err != nil {
			return volumeMount{}, err
		}
	}
	vm := volumeMount{Name: m.Source, Destination: dest, ReadOnly: m.ReadOnly, Anonymous: m.Source == "", CopyPending: true}
	access := ""
	for _, o := range splitOptions(m.Options) {
		switch o {
		case "ro", "rw":
			if access != "" {
				return volumeMount{}, fmt.Errorf("volume at %s: options %q and %q conflict: %w", dest, access, o, errdefs.ErrInvalidArgument)
			}
			access = o
		case "nocopy":
			vm.CopyPending = false
		default:
			return volumeMount{}, fmt.Errorf("volume at %s: option %q is not valid (ro or rw; nocopy): %w", dest, o, errdefs.ErrInvalidArgument)
		}
	}
	if m.ReadOnly && access == "rw" {
		return volumeMount{}, fmt.Errorf("volume at %s: read-only, and option \"rw\": %w", dest, errdefs.ErrInvalidArgument)
	}
	vm.ReadOnly = m.ReadOnly || access == "ro"
	return vm, nil
}

// inheritMounts adds the volumes and bind mounts of the container named
// by from (CONTAINER[:ro|rw]) whose destinations are free; ro or rw
// replaces each one's access, as Docker's --volumes-from does.
func (s *Service) inheritMounts(from string, taken map[string]bool, plan *mountPlan) error {
	ref, mode, _ := strings.Cut(from, ":")
	switch mode {
	case "", "ro", "rw":
	default:
		return fmt.Errorf("--volumes-from %q: mode %q is not valid (ro or rw): %w", from, mode, errdefs.ErrInvalidArgument)
	}
	e, err := s.lookup(ref)
	if err != nil {
		return fmt.Errorf("--volumes-from %s: %w", ref, err)
	}
	r := e.snapshot()
	access := func(ro bool) bool {
		if mode == "" {
			return ro
		}
		return mode == "ro"
	}
	for _, v := range r.Volumes {
		if taken[v.Destination] {
			continue
		}
		taken[v.Destination] = true
		plan.volumes = append(plan.volumes, volumeMount{Name: v.Name, Destination: v.Destination, ReadOnly: access(v.ReadOnly)})
	}
	binds := slices.DeleteFunc(slices.Clone(r.Config.Mounts), func(m api.Mount) bool { return m.Type != "bind" && m.Type != "" })
	for _, m := range append(binds, r.InheritedMounts...) {
		dest := filepath.Clean(m.Destination)
		if taken[dest] {
			continue
		}
		taken[dest] = true
		m.ReadOnly = access(m.ReadOnly || slices.Contains(splitOptions(m.Options), "ro"))
		m.Options = slices.DeleteFunc(splitOptions(m.Options), func(o string) bool { return o == "ro" || o == "rw" })
		plan.inherited = append(plan.inherited, m)
		plan.spec = append(plan.spec, m)
	}
	return nil
}

// useVolumes counts a recorded container as its volumes' user again
// (at daemon start).
func (s *Service) useVolumes(ctx context.Context, r *record) {
	if s.volumes == nil {
		return
	}
	for _, v := range r.Volumes {
		if err := s.volumes.Use(v.Name, r.ID); err != nil {
			logctx.From(ctx).Warn("a container's volume is missing", "container", r.ID, "volume", v.Name, "error", err)
		}
	}
}

// releaseVolumes forgets the removed container r as its volumes' user;
// with anonymous, its anonymous volumes that no other container uses
// are removed too (rm -v, --rm).
func (s *Service) releaseVolumes(ctx context.Context, r *record, anonymous bool) {
	if s.volumes == nil {
		return
	}
	for _, v := range r.Volumes {
		s.volumes.Release(v.Name, r.ID)
		if !anonymous || !v.Anonymous {
			continue
		}
		if _, err := s.volumes.RemoveUnused(ctx, v.Name); err != nil {
			logctx.From(ctx).Warn("removing an anonymous volume", "container", r.ID, "volume", v.Name, "error", err)
		}
	}
}

// copyUpVolumes fills the volumes still waiting for the image's files
// from the mounted root file system, before the container first runs.
// The caller holds e.op.
func (s *Service) copyUpVolumes(ctx context.Context, e *entry, r *record) error {
	pending := false
	for _, v := range r.Volumes {
		if !v.CopyPending {
			continue
		}
		pending = true
		copied, err := volume.CopyUp(s.rootfsDir(r.ID), v.Destination, v.Source)
		if err != nil {
			return fmt.Errorf("volume %s at %s: %w", v.Name, v.Destination, err)
		}
		if copied {
			logctx.From(ctx).Debug("copied the image's files into a volume", "container", r.ID, "volume", v.Name, "path", v.Destination)
		}
	}
	if pending {
		e.update(func(r *record) {
			for i := range r.Volumes {
				r.Volumes[i].CopyPending = false
			}
		})
	}
	return nil
}

// recordMounts are the mounts listings show: the request's binds and
// tmpfs, the binds of --volumes-from, and the volumes.
func recordMounts(r *record) []api.Mount {
	var out []api.Mount
	for _, m := range r.Config.Mounts {
		if m.Type != "volume" {
			out = append(out, m)
		}
	}
	out = append(out, r.InheritedMounts...)
	for _, v := range r.Volumes {
		out = append(out, api.Mount{Type: "volume", Name: v.Name, Source: v.Source, Destination: v.Destination, ReadOnly: v.ReadOnly})
	}
	return out
}
