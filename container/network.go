package container

import (
	"context"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/network"
)

// builtinNetwork is the network of a container created without one when
// the Service has no network manager: the seed's "host". With a manager
// the default is its bridge (network.Bridge).
const builtinNetwork = "host"

// Network sets up one network mode for containers. The modes of this
// package are "host" and "none"; Config.NetworkManager adds the bridges
// (see managedNetwork), Config.Networks any other.
type Network interface {
	// Configure adjusts the spec at create (namespaces) and has the
	// network package write the container's /etc/hostname, /etc/hosts
	// and /etc/resolv.conf into c.Dir (Attach may rewrite them in place
	// at every start).
	Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) error
	// Attach runs at every start once the container's namespaces exist
	// (pid is its init process) and before its process runs: a bridge
	// moves a veth into pid's network namespace here. It returns what
	// the run got (address, published ports), zero for host and none.
	Attach(ctx context.Context, c NetworkContainer, pid int) (NetworkStatus, error)
	// Detach runs after the container exited (also after a daemon restart)
	// and when a start fails after Attach; it must tolerate being called
	// twice.
	Detach(ctx context.Context, c NetworkContainer) error
}

// NetworkContainer is what a Network learns about a container.
type NetworkContainer struct {
	ID       string
	Name     string
	Hostname string
	// Network is the mode or network name the container asked for.
	Network string
	// Dir holds the container's hostname, hosts and resolv.conf files,
	// bound over the image's.
	Dir string
	// Ports, DNS and ExtraHosts are the request's (-p and -P, --dns,
	// --add-host; Attach only).
	Ports      []api.PortBinding
	DNS        []string
	ExtraHosts []string
	// DNSSearch and DNSOptions are --dns-search and --dns-option
	// (Attach only).
	DNSSearch, DNSOptions []string
	// Aliases are the container's other names on its user-defined
	// network (--network-alias; Attach only).
	Aliases []string
}

// NetworkStatus is what a run got from its network; it is kept in the
// record while the run lasts.
type NetworkStatus struct {
	IPAddress string `json:"ipAddress,omitempty"`
	PrefixLen int    `json:"prefixLen,omitempty"`
	Gateway   string `json:"gateway,omitempty"`
	MAC       string `json:"mac,omitempty"`
	// Ports are the published ports, host ports chosen.
	Ports []api.PortBinding `json:"ports,omitempty"`
}

// isZero reports whether the run got nothing worth recording.
func (st NetworkStatus) isZero() bool {
	return st.IPAddress == "" && len(st.Ports) == 0
}

// network returns the Network for a mode or network name: one of
// Config.Networks, else the network manager's (which takes any name:
// Create checks that the network exists), else host or none.
func (s *Service) network(name string) (Network, error) {
	if n, ok := s.networks[name]; ok {
		return n, nil
	}
	if s.netmgr != nil {
		return managedNetwork{s.netmgr}, nil
	}
	switch name {
	case "host":
		return hostNetwork{}, nil
	case "none":
		return noNetwork{}, nil
	}
	return nil, fmt.Errorf("network %q: %w (available: host, none)", name, errdefs.ErrNotFound)
}

// etcParams are what the network package makes a container's /etc
// files from, for a Service without a network manager.
func (c NetworkContainer) etcParams(mode string) network.EtcParams {
	return network.EtcParams{ContainerID: c.ID, Name: c.Name, Network: mode, Hostname: c.Hostname}
}

// hostNetwork shares the host's network namespace and name resolution.
type hostNetwork struct{}

func (hostNetwork) Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) error {
	dropNetns(spec)
	_, err := network.WriteEtcFiles(c.Dir, c.etcParams(network.Host))
	return err
}

func (hostNetwork) Attach(context.Context, NetworkContainer, int) (NetworkStatus, error) {
	return NetworkStatus{}, nil
}
func (hostNetwork) Detach(context.Context, NetworkContainer) error { return nil }

// noNetwork gives the container a network namespace of its own with only
// the loopback interface (the runtime brings it up).
type noNetwork struct{}

func (noNetwork) Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) error {
	addNetns(spec)
	_, err := network.WriteEtcFiles(c.Dir, c.etcParams(network.None))
	return err
}

func (noNetwork) Attach(context.Context, NetworkContainer, int) (NetworkStatus, error) {
	return NetworkStatus{}, nil
}
func (noNetwork) Detach(context.Context, NetworkContainer) error { return nil }

// dropNetns leaves the container in the host's network namespace.
func dropNetns(spec *specs.Spec) {
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.NetworkNamespace
	})
}

// addNetns gives the container a network namespace of its own (once).
func addNetns(spec *specs.Spec) {
	if !slices.ContainsFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace }) {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	}
}
