package docker

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
)

// dockerTime formats a time as Docker does in inspect (RFC 3339 with
// nanoseconds; the zero time as Go's zero).
func dockerTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// summaryOf is a ps entry in Docker's shape for a client of API version.
func summaryOf(c api.ContainerSummary, version string) container.Summary {
	s := container.Summary{
		ID:      c.ID,
		Names:   []string{"/" + c.Name},
		Image:   c.Image,
		Command: strings.Join(c.Command, " "),
		Created: c.Created.Unix(),
		Ports:   portSummaries(c.Ports),
		Labels:  c.Labels,
		State:   container.ContainerState(c.State),
		Status:  c.Status,
		Mounts:  mountPoints(c.Mounts),
		SizeRw:  c.SizeRw, SizeRootFs: c.SizeRootFs,
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	s.Health = healthSummaryOf(c.Health, version)
	s.HostConfig.NetworkMode = networkMode(c.Network)
	s.NetworkSettings = &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{
		networkName(c.Network): {},
	}}
	return s
}

// networkMode is Docker's name of our network mode ("" is bridge).
func networkMode(n string) string {
	if n == "" {
		return "bridge"
	}
	return n
}

// networkName is the key of a container's network in NetworkSettings.
func networkName(n string) string { return networkMode(n) }

func portSummaries(ports []api.PortBinding) []container.PortSummary {
	out := make([]container.PortSummary, 0, len(ports))
	for _, p := range ports {
		ps := container.PortSummary{PrivatePort: p.ContainerPort, PublicPort: p.HostPort, Type: protoOf(p)}
		if a, err := netip.ParseAddr(p.HostIP); err == nil {
			ps.IP = a
		} else if p.HostPort != 0 {
			ps.IP = netip.IPv4Unspecified()
		}
		out = append(out, ps)
	}
	return out
}

func protoOf(p api.PortBinding) string {
	if p.Proto == "" {
		return "tcp"
	}
	return p.Proto
}

func mountPoints(ms []api.Mount) []container.MountPoint {
	out := make([]container.MountPoint, 0, len(ms))
	for _, m := range ms {
		mp := container.MountPoint{Type: mount.Type(mountType(m.Type)), Source: m.Source, Destination: m.Destination, RW: !m.ReadOnly,
			Mode: strings.Join(m.Options, ",")}
		if m.Type == "volume" {
			mp.Name, mp.Driver = m.Name, "local"
		}
		out = append(out, mp)
	}
	return out
}

// portMap is Docker's NetworkSettings.Ports / HostConfig.PortBindings.
func portMap(ports []api.PortBinding, bound bool) network.PortMap {
	out := network.PortMap{}
	for _, p := range ports {
		port, ok := network.PortFrom(p.ContainerPort, network.IPProtocol(protoOf(p)))
		if !ok {
			continue
		}
		b := network.PortBinding{}
		if a, err := netip.ParseAddr(p.HostIP); err == nil {
			b.HostIP = a
		} else if bound {
			b.HostIP = netip.IPv4Unspecified()
		}
		if p.HostPort != 0 {
			b.HostPort = strconv.Itoa(int(p.HostPort))
		}
		out[port] = append(out[port], b)
	}
	return out
}

// inspectOf is a container's inspect in Docker's shape. Our extras
// (startup commands, start phases) have no Docker field: clients that
// want them use our own API.
func inspectOf(c api.ContainerInspect) container.InspectResponse {
	cfg := c.Config
	st := c.StateDetail
	out := container.InspectResponse{
		ID:           c.ID,
		Created:      dockerTime(c.Created),
		Image:        c.ImageID,
		Name:         "/" + c.Name,
		RestartCount: c.RestartCount,
		Driver:       "overlay",
		Platform:     "linux",
		LogPath:      c.LogPath,
		State: &container.State{
			Status: container.ContainerState(st.Status), Running: st.Running, Paused: st.Paused,
			Restarting: st.Restarting, OOMKilled: st.OOMKilled, Dead: st.Status == "dead", Pid: st.Pid,
			ExitCode: st.ExitCode, Error: st.Error,
			StartedAt: dockerTime(st.StartedAt), FinishedAt: dockerTime(st.FinishedAt),
			Health: healthOf(st.Health),
		},
		Mounts: mountPoints(c.Mounts),
		Config: &container.Config{
			Hostname: cfg.Hostname, User: cfg.User, Tty: cfg.Tty, OpenStdin: cfg.OpenStdin,
			AttachStdout: !cfg.OpenStdin, AttachStderr: !cfg.OpenStdin, AttachStdin: cfg.OpenStdin,
			Env: cfg.Env, Cmd: cfg.Cmd, Image: c.Image, WorkingDir: cfg.WorkingDir,
			Entrypoint: cfg.Entrypoint, Labels: cfg.Labels, StopSignal: cfg.StopSignal, StopTimeout: cfg.StopTimeout,
			Healthcheck: healthConfigOf(cfg.Healthcheck), Shell: cfg.Shell,
		},
		HostConfig: &container.HostConfig{
			NetworkMode:     container.NetworkMode(networkMode(cfg.Network)),
			PortBindings:    portMap(cfg.Ports, false),
			RestartPolicy:   container.RestartPolicy{Name: container.RestartPolicyMode(orNo(cfg.RestartPolicy.Name)), MaximumRetryCount: cfg.RestartPolicy.MaximumRetryCount},
			AutoRemove:      cfg.AutoRemove,
			CapAdd:          cfg.CapAdd,
			CapDrop:         cfg.CapDrop,
			ExtraHosts:      cfg.ExtraHosts,
			Privileged:      cfg.Privileged,
			PublishAllPorts: cfg.PublishAll,
			ReadonlyRootfs:  cfg.ReadOnly,
			SecurityOpt:     cfg.SecurityOpt,
			ConsoleSize:     [2]uint{uint(cfg.ConsoleSize[0]), uint(cfg.ConsoleSize[1])},
			Resources: container.Resources{
				Memory: cfg.Resources.Memory, NanoCPUs: cfg.Resources.NanoCPUs, CPUShares: cfg.Resources.CPUShares,
				CpusetCpus: cfg.Resources.CpusetCpus,
			},
		},
		NetworkSettings: &container.NetworkSettings{Ports: portMap(c.Ports, true), Networks: map[string]*network.EndpointSettings{}},
	}
	if len(c.Command) > 0 {
		out.Path, out.Args = c.Command[0], c.Command[1:]
	}
	if out.Args == nil {
		out.Args = []string{}
	}
	hostConfigOf(cfg, out.HostConfig)
	limitsOf(cfg, out.HostConfig) // limits.go
	namesOf(cfg, out.Config, out.HostConfig)
	if cfg.Init {
		init := true
		out.HostConfig.Init = &init
	}
	if p := cfg.Resources.PidsLimit; p != 0 {
		out.HostConfig.PidsLimit = &p
	}
	ep := &network.EndpointSettings{IPPrefixLen: c.IPPrefixLen}
	ep.IPAddress, _ = netip.ParseAddr(c.IPAddress)
	ep.Gateway, _ = netip.ParseAddr(c.Gateway)
	if mac, err := net.ParseMAC(c.MacAddress); err == nil {
		ep.MacAddress = network.HardwareAddr(mac)
	}
	out.NetworkSettings.Networks[networkName(cfg.Network)] = ep
	return out
}

func orNo(policy string) string {
	if policy == "" {
		return "no"
	}
	return policy
}

func mountType(t string) string {
	if t == "" {
		return "bind"
	}
	return t
}
