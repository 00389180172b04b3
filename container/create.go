package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/privdir"
)

// Create registers a container from req: it resolves the image, builds
// the OCI spec, prepares the container's directory (overlay upper and
// work directories, /etc files) and records it as "created". The name
// is reserved atomically: of concurrent creates with one name exactly
// one succeeds, the others fail with ErrAlreadyExists.
func (s *Service) Create(ctx context.Context, req api.ContainerCreate) (_ api.ContainerCreated, retErr error) {
	if req.Image == "" {
		return api.ContainerCreated{}, fmt.Errorf("no image given: %w", errdefs.ErrInvalidArgument)
	}
	if req.Name != "" {
		if err := checkName(req.Name); err != nil {
			return api.ContainerCreated{}, err
		}
	}
	if _, err := parseRestartPolicy(req.RestartPolicy); err != nil {
		return api.ContainerCreated{}, err
	}
	if req.RestartPolicy.Name != "" && req.RestartPolicy.Name != "no" && req.AutoRemove {
		return api.ContainerCreated{}, fmt.Errorf("a restart policy and --rm exclude each other: %w", errdefs.ErrInvalidArgument)
	}
	if req.StopSignal != "" {
		if _, err := parseSignal(req.StopSignal); err != nil {
			return api.ContainerCreated{}, fmt.Errorf("stop signal: %w", err)
		}
	}
	if req.StopTimeout != nil && *req.StopTimeout < -1 {
		return api.ContainerCreated{}, fmt.Errorf("stop timeout %d: %w", *req.StopTimeout, errdefs.ErrInvalidArgument)
	}
	if req.Log.MaxSize < 0 || req.Log.MaxFiles < 0 {
		return api.ContainerCreated{}, fmt.Errorf("log max size and max files must not be negative: %w", errdefs.ErrInvalidArgument)
	}
	if req.Network == "" {
		req.Network = s.defaultNetwork()
	}
	nw, err := s.network(req.Network)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	if req.Network, err = s.canonicalNetwork(ctx, req.Network); err != nil {
		return api.ContainerCreated{}, err
	}
	if len(req.NetworkAliases) > 0 {
		if req.Network == "bridge" || req.Network == "host" || req.Network == "none" || s.netmgr == nil {
			return api.ContainerCreated{}, fmt.Errorf("network-scoped aliases are supported only for containers in user-defined networks: %w", errdefs.ErrInvalidArgument)
		}
		if err := checkAliases(req.NetworkAliases); err != nil {
			return api.ContainerCreated{}, err
		}
	}
	img, err := s.images.Image(ctx, req.Image)
	if err != nil {
		if errors.Is(err, errdefs.ErrNotFound) {
			return api.ContainerCreated{}, fmt.Errorf("no such image: %s: %w", req.Image, errdefs.ErrNotFound)
		}
		return api.ContainerCreated{}, fmt.Errorf("image %s: %w", req.Image, err)
	}
	if err := s.checkHostConfig(&req, img); err != nil {
		return api.ContainerCreated{}, err
	}
	limitWarnings, err := checkLimits(&req.Resources) // limits.go: Docker's defaults, recorded
	if err != nil {
		return api.ContainerCreated{}, err
	}
	if err := checkCgroupConfig(&req); err != nil { // cgroupparent.go
		return api.ContainerCreated{}, err
	}
	if err := checkNames(req); err != nil { // dnsflags.go
		return api.ContainerCreated{}, err
	}
	args, err := targetArgs(req, img.Config.Config)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	exposed, err := exposedPorts(&req, img.Config.Config.ExposedPorts) // dnsflags.go
	if err != nil {
		return api.ContainerCreated{}, err
	}
	ports, warnings, err := publishedPorts(req, exposed)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	warnings = append(warnings, limitWarnings...)
	stopSignal := req.StopSignal
	if stopSignal == "" {
		stopSignal = img.Config.Config.StopSignal
	}
	if stopSignal == "" {
		stopSignal = "SIGTERM"
	} else if _, err := parseSignal(stopSignal); err != nil {
		return api.ContainerCreated{}, fmt.Errorf("the image's stop signal: %w", err)
	}
	if req.User, err = containerUser(req.User, img.Config.Config.User); err != nil {
		return api.ContainerCreated{}, err
	}
	health, err := containerHealthcheck(req.Healthcheck, img.Healthcheck)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	if req.Shell, err = containerShell(req.Shell, img.Shell); err != nil {
		return api.ContainerCreated{}, err
	}

	id, err := newID()
	if err != nil {
		return api.ContainerCreated{}, err
	}
	// The name is taken before the network sees it (its DNS answers by
	// name) and kept until the record holds it.
	name, releaseName, err := s.reserveName(id, req.Name)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	defer releaseName()
	hostname := req.Hostname
	if hostname == "" {
		hostname = id[:12]
	}
	if req.UTSMode == "host" {
		// The host's name, for /etc/hostname and $HOSTNAME, as Docker.
		if hostname, err = os.Hostname(); err != nil {
			return api.ContainerCreated{}, fmt.Errorf("reading the host's name for --uts host: %w", err)
		}
	}
	var usernsStart uint32
	if req.Userns == "private" {
		start, release, err := s.allocUserns()
		if err != nil {
			return api.ContainerCreated{}, err
		}
		defer release() // after the entry holds it, or on failure
		usernsStart = start
	}
	dir := s.containerDir(id)
	if err := privdir.Mkdir(dir); err != nil {
		return api.ContainerCreated{}, fmt.Errorf("creating container directory: %w", err)
	}
	defer func() {
		if retErr != nil {
			os.RemoveAll(dir)
		}
	}()
	for _, d := range []string{"upper", "work", "rootfs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			return api.ContainerCreated{}, fmt.Errorf("creating container directory: %w", err)
		}
	}
	ahead := s.startMonitorAhead(id, req)
	defer func() {
		if retErr != nil {
			ahead.discard(ctx)
			os.RemoveAll(ahead.dir)
		}
	}()
	nc := NetworkContainer{ID: id, Name: name, Hostname: hostname, Network: req.Network, Dir: dir}
	// Volumes (named, anonymous, the image's, --volumes-from) become bind
	// mounts of their directories in the spec; the record keeps the request.
	plan, releaseVolumes, err := s.planMounts(ctx, id, req, img)
	if err != nil {
		return api.ContainerCreated{}, err
	}
	defer func() {
		if retErr != nil {
			releaseVolumes()
		}
	}()
	specReq := req
	specReq.Mounts = plan.spec
	spec, err := buildSpec(specReq, specInput{
		id: id, rootfs: s.rootfsDir(id), hostname: hostname, image: img, args: args,
		etcFiles: etcPaths(dir), usernsHostID: usernsStart, shmSource: s.shmSource(id, req),
	})
	if err != nil {
		return api.ContainerCreated{}, err
	}
	if err := nw.Configure(ctx, nc, spec); err != nil {
		return api.ContainerCreated{}, fmt.Errorf("configuring network %s: %w", req.Network, err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return api.ContainerCreated{}, fmt.Errorf("encoding the container's spec: %w", err)
	}
	if err := s.saveSpec(id, b, req.AutoRemove); err != nil {
		return api.ContainerCreated{}, err
	}
	if req.Userns == "private" {
		// The container's root must own its writable layer.
		for _, d := range []string{"upper", "work"} {
			if err := os.Chown(filepath.Join(dir, d), int(usernsStart), int(usernsStart)); err != nil {
				return api.ContainerCreated{}, fmt.Errorf("chown of the container's %s directory: %w", d, err)
			}
		}
	}

	rec := &record{
		ID: id, Name: name, Created: time.Now().UTC(), Config: req,
		ImageID: img.ID, Layers: img.Layers, Command: args,
		StartupCommands: img.StartupCommands, StopSignal: stopSignal, Network: req.Network, Ports: ports,
		UsernsHostID: usernsStart, State: runState{Status: StateCreated},
		Volumes: plan.volumes, InheritedMounts: plan.inherited,
		Healthcheck: health,
	}
	// One transaction checks and takes the name.
	if err := s.db.insert(rec); err != nil {
		return api.ContainerCreated{}, err
	}
	ent := newEntry(rec)
	ent.spec = b
	ent.prepareSpec()
	s.keepMonitor(ent, ahead)
	s.mu.Lock()
	s.containers[id] = ent
	s.mu.Unlock()
	logctx.From(ctx).Info("container created", "container", id, "name", name, "image", req.Image)
	s.publish(rec, "create", nil)
	return api.ContainerCreated{ID: id, Warnings: warnings}, nil
}
