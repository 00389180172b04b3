package container

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/network"
)

// managedNetwork connects containers through the daemon's
// network.Manager: the default bridge and user-defined networks get a
// namespace from the runtime (a clone flag, as for none) which Attach
// configures between runtime.Create and Start. The manager writes every
// mode's /etc files at create (Manager.WriteEtcFiles), and again at
// start for the bridges (the address of the run) and for host and none
// containers that ask for --dns or --add-host.
type managedNetwork struct{ m *network.Manager }

func (n managedNetwork) Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) error {
	if c.Network == network.Host {
		dropNetns(spec)
	} else {
		addNetns(spec)
	}
	// For the bridges Attach rewrites them in place with the address of
	// the run, before the container's process runs.
	_, err := n.m.WriteEtcFiles(network.Request{
		ContainerID: c.ID, Name: c.Name, Network: c.Network, Hostname: c.Hostname, FilesDir: c.Dir,
	})
	return err
}

func (n managedNetwork) Attach(ctx context.Context, c NetworkContainer, pid int) (NetworkStatus, error) {
	builtin := c.Network == network.Host || c.Network == network.None
	if builtin && len(c.DNS)+len(c.DNSSearch)+len(c.DNSOptions) == 0 && len(c.ExtraHosts) == 0 {
		return NetworkStatus{}, nil // Configure's files are complete
	}
	ports, err := portMappings(c.Ports)
	if err != nil {
		return NetworkStatus{}, err
	}
	req := network.Request{
		ContainerID: c.ID, Name: c.Name, Network: c.Network, Hostname: c.Hostname,
		DNS: c.DNS, ExtraHosts: c.ExtraHosts, FilesDir: c.Dir, Aliases: c.Aliases,
		DNSSearch: c.DNSSearch, DNSOptions: c.DNSOptions,
	}
	if c.Network != network.Host {
		req.NetnsPath = "/proc/" + strconv.Itoa(pid) + "/ns/net"
	}
	if !builtin {
		req.Ports = ports
	}
	att, err := n.m.Setup(ctx, req)
	if errors.Is(err, errdefs.ErrAlreadyExists) {
		// An attachment of an earlier run of this container, which the
		// daemon could not tear down (it was killed at the wrong time):
		// that run is over, since this one starts.
		if err := n.m.Teardown(ctx, c.ID); err != nil {
			return NetworkStatus{}, fmt.Errorf("removing the stale network attachment: %w", err)
		}
		att, err = n.m.Setup(ctx, req)
	}
	if err != nil {
		return NetworkStatus{}, err
	}
	return statusOf(att), nil
}

func (n managedNetwork) Detach(ctx context.Context, c NetworkContainer) error {
	return n.m.Teardown(ctx, c.ID)
}

// statusOf converts what Setup made.
func statusOf(att *network.Attachment) NetworkStatus {
	var st NetworkStatus
	if att.IP.IsValid() {
		st.IPAddress, st.PrefixLen, st.MAC = att.IP.String(), att.PrefixLen, att.MAC
	}
	if att.Gateway.IsValid() {
		st.Gateway = att.Gateway.String()
	}
	for _, p := range att.Ports {
		b := api.PortBinding{HostPort: p.HostPort, ContainerPort: p.ContainerPort, Proto: p.Proto}
		if p.HostIP.IsValid() {
			b.HostIP = p.HostIP.String()
		}
		st.Ports = append(st.Ports, b)
	}
	return st
}

// portMappings converts and checks published ports (Create checks them
// early, so that a bad one fails there rather than at every start).
func portMappings(in []api.PortBinding) ([]network.PortMapping, error) {
	var out []network.PortMapping
	for _, b := range in {
		p := network.PortMapping{HostPort: b.HostPort, ContainerPort: b.ContainerPort, Proto: strings.ToLower(b.Proto)}
		if p.Proto == "" {
			p.Proto = network.TCP
		}
		if p.Proto != network.TCP && p.Proto != network.UDP {
			return nil, fmt.Errorf("published port %d: protocol %q is not tcp or udp: %w", b.ContainerPort, b.Proto, errdefs.ErrInvalidArgument)
		}
		if p.ContainerPort == 0 {
			return nil, fmt.Errorf("published port: the container port is missing: %w", errdefs.ErrInvalidArgument)
		}
		if b.HostIP != "" {
			a, err := netip.ParseAddr(b.HostIP)
			if err != nil || !a.Unmap().Is4() {
				return nil, fmt.Errorf("published port %d: host address %q is not an IPv4 address: %w", b.ContainerPort, b.HostIP, errdefs.ErrInvalidArgument)
			}
			p.HostIP = a.Unmap()
		}
		out = append(out, p)
	}
	return out, nil
}

// publishedPorts are the ports a container publishes at every start: the
// request's, and with PublishAll each port the image exposes ("80/tcp",
// "53/udp", "8080") that the request does not publish already, on a free
// host port. Ports are for bridge networks: on host and none they are
// dropped with a warning, as Docker does.
func publishedPorts(req api.ContainerCreate, exposed map[string]struct{}) ([]api.PortBinding, []string, error) {
	if _, err := portMappings(req.Ports); err != nil {
		return nil, nil, err
	}
	ports := slices.Clone(req.Ports)
	if req.PublishAll {
		keys := make([]string, 0, len(exposed))
		for k := range exposed {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			num, proto, _ := strings.Cut(k, "/")
			if proto == "" {
				proto = network.TCP
			}
			n, err := strconv.ParseUint(num, 10, 16)
			if err != nil || n == 0 || (proto != network.TCP && proto != network.UDP) {
				continue // a port range or an odd protocol: not ours to publish
			}
			if slices.ContainsFunc(ports, func(b api.PortBinding) bool {
				return int(b.ContainerPort) == int(n) && strings.EqualFold(orTCP(b.Proto), proto)
			}) {
				continue
			}
			ports = append(ports, api.PortBinding{ContainerPort: uint16(n), Proto: proto})
		}
	}
	if len(ports) > 0 && (req.Network == network.Host || req.Network == network.None) {
		return nil, []string{fmt.Sprintf("published ports are discarded on network %s (the container has no address of its own)", req.Network)}, nil
	}
	return ports, nil, nil
}

func orTCP(proto string) string {
	if proto == "" {
		return network.TCP
	}
	return proto
}

// canonicalNetwork returns the name of the network a create asks for
// (the manager also takes an id or id prefix), or ErrNotFound.
func (s *Service) canonicalNetwork(ctx context.Context, name string) (string, error) {
	if s.netmgr == nil || name == network.Host || name == network.None {
		return name, nil
	}
	if _, ok := s.networks[name]; ok {
		return name, nil
	}
	nw, err := s.netmgr.InspectNetwork(ctx, name)
	if err != nil {
		return "", err
	}
	return nw.Name, nil
}

// defaultNetwork is the network of a container created without one.
func (s *Service) defaultNetwork() string {
	if s.netmgr != nil {
		return network.Bridge
	}
	return builtinNetwork
}

// reconcileNetworks lets the network manager remove what containers that
// no longer run left (endpoints, veths, rules, addresses): those of the
// containers whose monitor is gone, restarting ones (set up again at
// their start) and stopped ones. It runs in recover, before any start.
func (s *Service) reconcileNetworks(ctx context.Context, recs []*record) {
	if s.netmgr == nil {
		return
	}
	var live []string
	for _, r := range recs {
		if (r.State.Status == StateRunning || r.State.Status == StatePaused) && processAlive(r.State.MonitorPid, r.State.MonitorStart) {
			live = append(live, r.ID)
		}
	}
	if err := s.netmgr.Reconcile(ctx, live); err != nil {
		// Not fatal: what is left is retried at the next start.
		logctx.From(ctx).Warn("reconciling the networks", "error", err)
	}
}
