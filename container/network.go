package container

import (
	"context"
	"fmt"
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// DefaultNetwork is the network of a container created without one. The
// network issue replaces it with a bridge; until then containers share
// the host's network, as the seed's "host" mode does.
const DefaultNetwork = "host"

// Network sets up one network mode for containers. The modes of this
// package are "host" and "none"; the network issue adds bridges through
// Config.Networks.
type Network interface {
	// Configure adjusts the spec at create (namespaces) and returns the
	// contents of the container's /etc/hosts and /etc/resolv.conf.
	Configure(ctx context.Context, c NetworkContainer, spec *specs.Spec) (NetworkFiles, error)
	// Attach runs at every start once the container's namespaces exist
	// (pid is its init process) and before its process runs: a bridge
	// moves a veth into pid's network namespace here.
	Attach(ctx context.Context, c NetworkContainer, pid int) error
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
}

// NetworkFiles are the name-resolution files of a container.
type NetworkFiles struct {
	Hosts      []byte
	ResolvConf []byte
}

// network returns the Network for a mode.
func (s *Service) network(name string) (Network, error) {
	switch name {
	case "host":
		return hostNetwork{}, nil
	case "none":
		return noNetwork{}, nil
	}
	if n, ok := s.networks[name]; ok {
		return n, nil
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

func (hostNetwork) Attach(context.Context, NetworkContainer, int) error { return nil }
func (hostNetwork) Detach(context.Context, NetworkContainer) error      { return nil }

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

func (noNetwork) Attach(context.Context, NetworkContainer, int) error { return nil }
func (noNetwork) Detach(context.Context, NetworkContainer) error      { return nil }

const localhostLines = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
