package docker

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// unsupported refuses a field of Docker's create request that this engine
// cannot honour: a Docker-shaped 400 naming it. Security-relevant options
// the service does not implement (device requests, masked paths, legacy
// links, ...) are always refused rather than dropped: a container must never run with
// less isolation or fewer limits than it was asked for without its user
// knowing.
func unsupported(field, why string) error {
	return errdefs.Kindf(errdefs.ErrInvalidArgument, "%s: %s is not supported by container-runtimed", field, why)
}

// toCreate translates Docker's create request into ours. Warnings name the
// options that were ignored because they change nothing that matters for
// isolation (Docker answers them in CreateResponse.Warnings too).
func toCreate(name string, req container.CreateRequest) (api.ContainerCreate, []string, error) {
	out, _, warnings, err := toCreateNetworks(name, req)
	return out, warnings, err
}

// toCreateNetworks is toCreate that also returns the networks to connect
// the container to once made (connectExtras).
func toCreateNetworks(name string, req container.CreateRequest) (out api.ContainerCreate, extras map[string]api.NetworkConnect, warnings []string, err error) {
	if req.Config == nil {
		return api.ContainerCreate{}, nil, nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "config cannot be empty in order to create a container")
	}
	cfg := req.Config
	hc := req.HostConfig
	if hc == nil {
		hc = &container.HostConfig{}
	}
	if cfg.Image == "" {
		return api.ContainerCreate{}, nil, nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "Config.Image: no image given")
	}
	out = api.ContainerCreate{
		Name:        name,
		Image:       cfg.Image,
		Cmd:         cfg.Cmd,
		Entrypoint:  cfg.Entrypoint,
		Env:         cfg.Env,
		WorkingDir:  cfg.WorkingDir,
		User:        cfg.User,
		Hostname:    cfg.Hostname,
		Labels:      cfg.Labels,
		Tty:         cfg.Tty,
		OpenStdin:   cfg.OpenStdin,
		StopSignal:  cfg.StopSignal,
		StopTimeout: cfg.StopTimeout,
		ReadOnly:    hc.ReadonlyRootfs,
		CapAdd:      hc.CapAdd,
		CapDrop:     hc.CapDrop,
		SecurityOpt: hc.SecurityOpt,
		Privileged:  hc.Privileged,
		AutoRemove:  hc.AutoRemove,
		ExtraHosts:  hc.ExtraHosts,
		PublishAll:  hc.PublishAllPorts,
		RestartPolicy: api.RestartPolicy{
			Name: string(hc.RestartPolicy.Name), MaximumRetryCount: hc.RestartPolicy.MaximumRetryCount,
		},
	}
	// Docker's entrypoint [""] means "no entrypoint": ours is [] for that.
	if len(cfg.Entrypoint) == 1 && cfg.Entrypoint[0] == "" {
		out.Entrypoint = []string{}
	}
	if hc.Init != nil {
		out.Init = *hc.Init
	}
	out.ConsoleSize = [2]uint16{uint16(min(hc.ConsoleSize[0], 65535)), uint16(min(hc.ConsoleSize[1], 65535))}
	for _, a := range hc.DNS {
		out.DNS = append(out.DNS, a.String())
	}
	if err := refuseIsolation(hc); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if out.Resources, err = toResources(hc.Resources); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if err := toLimits(hc, &out); err != nil { // limits.go
		return api.ContainerCreate{}, nil, nil, err
	}
	if out.Mounts, err = toMounts(hc); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if extras, err = toNetwork(cfg, hc, req.NetworkingConfig, &out); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if out.Ports, err = toPorts(hc.PortBindings); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if out.LogDriver, out.Log, err = toLog(hc.LogConfig); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	if err := toHostConfig(hc, &out); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	out.Mounts = append(out.Mounts, anonymousVolumes(cfg.Volumes, out.Mounts)...)
	out.VolumesFrom = hc.VolumesFrom
	if out.Healthcheck, err = toHealthcheck(cfg.Healthcheck); err != nil {
		return api.ContainerCreate{}, nil, nil, err
	}
	out.Shell = cfg.Shell
	toNames(cfg, hc, &out) // limits.go
	return out, extras, warnings, nil
}

// refuseIsolation refuses what would weaken or change a container's
// isolation in a way this engine does not implement.
func refuseIsolation(hc *container.HostConfig) error {
	type check struct {
		field string
		set   bool
		why   string
	}
	checks := []check{
		{"HostConfig.DeviceRequests", len(hc.DeviceRequests) > 0, "a device request"},
		{"HostConfig.Cgroup", hc.Cgroup != "", "joining another cgroup"},
		{"HostConfig.Links", len(hc.Links) > 0, "a legacy link"},
		{"HostConfig.MaskedPaths", hc.MaskedPaths != nil, "changing the masked paths"},
		{"HostConfig.ReadonlyPaths", hc.ReadonlyPaths != nil, "changing the read-only paths"},
		{"HostConfig.Runtime", hc.Runtime != "" && hc.Runtime != "runc" && hc.Runtime != "container-runtime",
			fmt.Sprintf("runtime %q", hc.Runtime)},
		{"HostConfig.Isolation", !hc.Isolation.IsDefault(), fmt.Sprintf("isolation %q", hc.Isolation)},
		{"HostConfig.StorageOpt", len(hc.StorageOpt) > 0, "a storage option"},
		{"HostConfig.VolumeDriver", hc.VolumeDriver != "" && hc.VolumeDriver != "local", "a volume driver"},
		{"HostConfig.Umask", hc.Umask != nil, "an initial umask"},
	}
	for _, c := range checks {
		if c.set {
			return unsupported(c.field, c.why)
		}
	}
	switch hc.UsernsMode {
	case "", "host":
	default:
		return unsupported("HostConfig.UsernsMode", fmt.Sprintf("user namespace mode %q", hc.UsernsMode))
	}
	return nil
}

// toResources maps the limits we enforce and refuses the others: a limit
// silently dropped is a limit an operator believes in and does not have.
func toResources(r container.Resources) (api.Resources, error) {
	out := api.Resources{Memory: r.Memory, NanoCPUs: r.NanoCPUs, CPUShares: r.CPUShares, CpusetCpus: r.CpusetCpus}
	if r.PidsLimit != nil && *r.PidsLimit > 0 {
		out.PidsLimit = *r.PidsLimit
	}
	type check struct {
		field string
		set   bool
	}
	checks := []check{
		{"HostConfig.BlkioWeightDevice", len(r.BlkioWeightDevice) > 0},
		{"HostConfig.CpuRealtimePeriod", r.CPURealtimePeriod != 0},
		{"HostConfig.CpuRealtimeRuntime", r.CPURealtimeRuntime != 0},
		{"HostConfig.CpuCount", r.CPUCount != 0},
		{"HostConfig.CpuPercent", r.CPUPercent != 0},
		{"HostConfig.IOMaximumIOps", r.IOMaximumIOps != 0},
		{"HostConfig.IOMaximumBandwidth", r.IOMaximumBandwidth != 0},
	}
	for _, c := range checks {
		if c.set {
			return api.Resources{}, unsupported(c.field, "this resource limit")
		}
	}
	return out, nil
}

// toMounts maps Binds ("SRC:DST[:OPTS]", SRC a host path or a volume's
// name), Mounts (bind, tmpfs, volume) and Tmpfs.
func toMounts(hc *container.HostConfig) ([]api.Mount, error) {
	var out []api.Mount
	for _, b := range hc.Binds {
		parts := strings.Split(b, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.Binds: invalid bind %q: want SOURCE:DESTINATION[:OPTIONS]", b)
		}
		m := api.Mount{Type: "bind", Source: parts[0], Destination: parts[1]}
		if !path.IsAbs(parts[0]) {
			// NAME:/path is a named volume (the service checks the name).
			m.Type = "volume"
		}
		if len(parts) == 3 {
			for _, o := range strings.Split(parts[2], ",") {
				switch o {
				case "ro":
					m.ReadOnly = true
				case "rw", "":
				default:
					m.Options = append(m.Options, o)
				}
			}
		}
		out = append(out, m)
	}
	for i, m := range hc.Mounts {
		field := fmt.Sprintf("HostConfig.Mounts[%d]", i)
		switch m.Type {
		case mount.TypeBind:
			am := api.Mount{Type: "bind", Source: m.Source, Destination: m.Target, ReadOnly: m.ReadOnly}
			if o := m.BindOptions; o != nil {
				if o.Propagation != "" {
					am.Options = append(am.Options, string(o.Propagation))
				}
				if o.NonRecursive || o.ReadOnlyNonRecursive || o.ReadOnlyForceRecursive || o.CreateMountpoint {
					return nil, unsupported(field+".BindOptions", "this bind option")
				}
			}
			out = append(out, am)
		case mount.TypeTmpfs:
			am := api.Mount{Type: "tmpfs", Destination: m.Target, ReadOnly: m.ReadOnly}
			if o := m.TmpfsOptions; o != nil {
				if o.SizeBytes > 0 {
					am.Options = append(am.Options, "size="+strconv.FormatInt(o.SizeBytes, 10))
				}
				if o.Mode != 0 {
					am.Options = append(am.Options, fmt.Sprintf("mode=%o", o.Mode.Perm()))
				}
			}
			out = append(out, am)
		case mount.TypeVolume:
			am, err := volumeMount(field, m)
			if err != nil {
				return nil, err
			}
			out = append(out, am)
		default:
			return nil, unsupported(field+".Type", fmt.Sprintf("mount type %q", m.Type))
		}
	}
	dests := make([]string, 0, len(hc.Tmpfs))
	for d := range hc.Tmpfs {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	for _, d := range dests {
		m := api.Mount{Type: "tmpfs", Destination: d}
		if opts := hc.Tmpfs[d]; opts != "" {
			m.Options = strings.Split(opts, ",")
		}
		out = append(out, m)
	}
	return out, nil
}

// toNetwork picks the container's first network (NetworkMode, or the one
// of NetworkingConfig's endpoints it names, or the first by name) with
// its aliases, and returns the other endpoints (API 1.44+ clients send
// every network at create) for connectExtras.
func toNetwork(cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig, out *api.ContainerCreate) (map[string]api.NetworkConnect, error) {
	mode := string(hc.NetworkMode)
	if cfg.NetworkDisabled {
		mode = "none"
	}
	if strings.HasPrefix(mode, "container:") {
		return nil, unsupported("HostConfig.NetworkMode", "joining another container's network")
	}
	if mode == "default" {
		mode = ""
	}
	out.Network = mode
	if nc == nil || len(nc.EndpointsConfig) == 0 {
		return nil, nil
	}
	names := slices.Sorted(maps.Keys(nc.EndpointsConfig))
	first := names[0]
	if mode != "" {
		if _, ok := nc.EndpointsConfig[mode]; !ok && !(mode == "bridge" && nc.EndpointsConfig["default"] != nil) {
			return nil, errdefs.Kindf(errdefs.ErrInvalidArgument,
				"NetworkingConfig.EndpointsConfig: HostConfig.NetworkMode %q is not among the endpoints %q", mode, names)
		}
		if _, ok := nc.EndpointsConfig[mode]; ok {
			first = mode
		} else {
			first = "default"
		}
	}
	extras := map[string]api.NetworkConnect{}
	for _, name := range names {
		field := fmt.Sprintf("NetworkingConfig.EndpointsConfig[%s]", name)
		conn, err := endpointConnect(field, nc.EndpointsConfig[name])
		if err != nil {
			return nil, err
		}
		if name != first {
			extras[name] = conn
			continue
		}
		if conn.IPAddress != "" {
			return nil, unsupported(field+".IPAMConfig.IPv4Address", "a static address on the first network (give it with docker network connect --ip)")
		}
		out.NetworkAliases = conn.Aliases
		if name != "default" {
			out.Network = name
		}
	}
	return extras, nil
}

// toPorts maps Docker's port map (host ports as strings, maybe ranges).
func toPorts(pm network.PortMap) ([]api.PortBinding, error) {
	keys := make([]network.Port, 0, len(pm))
	for p := range pm {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(a, b network.Port) int { return strings.Compare(a.String(), b.String()) })
	var out []api.PortBinding
	for _, p := range keys {
		proto := string(p.Proto())
		if proto != "tcp" && proto != "udp" {
			return nil, unsupported("HostConfig.PortBindings", fmt.Sprintf("protocol %q", proto))
		}
		binds := pm[p]
		if len(binds) == 0 {
			binds = []network.PortBinding{{}}
		}
		for _, b := range binds {
			pb := api.PortBinding{ContainerPort: p.Num(), Proto: proto}
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				pb.HostIP = b.HostIP.String()
			}
			if b.HostPort != "" {
				n, err := strconv.ParseUint(b.HostPort, 10, 16)
				if err != nil {
					return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.PortBindings[%s].HostPort: %q is not a port number (ranges are not supported)", p, b.HostPort)
				}
				pb.HostPort = uint16(n)
			}
			out = append(out, pb)
		}
	}
	return out, nil
}
