package container

import (
	"context"
	"fmt"
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// builtinNetwork is the network of a container created without one when
// the Service has no network manager: the seed's "host". With a manager
// the default is its bridge (network.Bridge).
const builtinNetwork = "host"

// Network sets up one network mode for containers. The modes of this
// package are "host" and "none"; Config.NetworkManager adds the bridges
// (see managedNetwork), Config.Networks any other.
type Network interface {
	// Configure adjusts the spec at create (namespaces) and returns the
	// first contents of the container's /etc/hosts and /etc/resolv.conf
	// (Attach may rewrite them in place at every start).
	Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) (NetworkFiles, error)
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
	// bound over the image's (Attach only).
	Dir string
	// Ports, DNS and ExtraHosts are the request's (-p and -P, --dns,
	// --add-host; Attach only).
	Ports      []api.PortBinding
	DNS        []string
	ExtraHosts []string
}

// NetworkFiles are the name-resolution files of a container.
type NetworkFiles struct {
	Hosts      []byte
	ResolvConf []byte
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

// hostNetwork shares the host's network namespace and name resolution.
type hostNetwork struct{}

func (hostNetwork) Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) (NetworkFiles, error) {
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.NetworkNamespace
	})
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !os.IsNotExist(err) {
		return NetworkFiles{}, fmt.Errorf("reading the host's /etc/resolv.conf: %w", err)
	}
	hosts, err := os.ReadFile("/etc/hosts")
	if err != nil && !os.IsNotExist(err) {
		return NetworkFiles{}, fmt.Errorf("reading the host's /etc/hosts: %w", err)
	}
	if len(hosts) == 0 {
		hosts = []byte(localhostLines)
	}
	if len(hosts) > 0 && hosts[len(hosts)-1] != '\n' {
		hosts = append(hosts, '\n')
	}
	hosts = fmt.Appendf(hosts, "127.0.1.1\t%s\n", c.Hostname)
	return NetworkFiles{Hosts: hosts, ResolvConf: resolv}, nil
}

func (hostNetwork) Attach(context.Context, NetworkContainer, int) (NetworkStatus, error) {
	return NetworkStatus{}, nil
}
func (hostNetwork) Detach(context.Context, NetworkContainer) error { return nil }

// noNetwork gives the container a network namespace of its own with only
// the loopback interface (the runtime brings it up).
type noNetwork struct{}

func (noNetwork) Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) (NetworkFiles, error) {
	if !slices.ContainsFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace }) {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	}
	return NetworkFiles{
		Hosts:      fmt.Appendf([]byte(localhostLines), "127.0.1.1\t%s\n", c.Hostname),
		ResolvConf: []byte("# network none: no name servers\n"),
	}, nil
}

func (noNetwork) Attach(context.Context, NetworkContainer, int) (NetworkStatus, error) {
	return NetworkStatus{}, nil
}
func (noNetwork) Detach(context.Context, NetworkContainer) error { return nil }

const localhostLines = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
