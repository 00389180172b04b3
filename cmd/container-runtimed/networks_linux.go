package main

// The network service: the network routes of docs/API.md over
// network.Manager. It turns the manager's types into the API's and
// publishes network events; package daemon, the HTTP side, only sees
// daemon.NetworkService. It lives here, not in package network, so that
// the engine stays free of the wire types.

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/network"
)

// networkService is the network service over a Manager.
type networkService struct {
	Manager *network.Manager
	// Events receives "network" events (create, destroy); nil publishes
	// nothing.
	Events daemon.EventPublisher
	// Containers keep each container's networks (connect, disconnect,
	// prune's networks in use).
	Containers networkContainers
}

var _ daemon.NetworkService = (*networkService)(nil)

// Create makes a user-defined network.
func (s *networkService) Create(ctx context.Context, req api.NetworkCreate) (api.Network, error) {
	opts := network.NetworkOptions{Name: req.Name, Labels: req.Labels}
	if req.Subnet != "" {
		p, err := netip.ParsePrefix(req.Subnet)
		if err != nil {
			return api.Network{}, fmt.Errorf("subnet %q is not a CIDR such as 10.80.0.0/24: %w", req.Subnet, errdefs.ErrInvalidArgument)
		}
		opts.Subnet = p
	}
	n, err := s.Manager.CreateNetwork(ctx, opts)
	if err != nil {
		return api.Network{}, err
	}
	s.publish("create", n)
	return apiNetwork(n), nil
}

// List lists the networks by name.
func (s *networkService) List(ctx context.Context) ([]api.Network, error) {
	list, err := s.Manager.ListNetworks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.Network, 0, len(list))
	for _, n := range list {
		out = append(out, apiNetwork(n))
	}
	return out, nil
}

// Inspect describes a network and its containers.
func (s *networkService) Inspect(ctx context.Context, name string) (api.Network, error) {
	n, err := s.Manager.InspectNetwork(ctx, name)
	if err != nil {
		return api.Network{}, err
	}
	return apiNetwork(n), nil
}

// Remove removes a user-defined network, found by name, id or id prefix.
func (s *networkService) Remove(ctx context.Context, name string) error {
	n, err := s.Manager.InspectNetwork(ctx, name)
	if err != nil {
		return err
	}
	if err := s.Manager.RemoveNetwork(ctx, n.Name); err != nil {
		return err
	}
	s.publish("destroy", n)
	return nil
}

func (s *networkService) publish(action string, n network.Network) {
	if s.Events != nil {
		s.Events.Publish(api.Event{Type: "network", Action: action, ID: n.ID, Name: n.Name})
	}
}

// apiNetwork turns the manager's description into the API's.
func apiNetwork(n network.Network) api.Network {
	out := api.Network{
		ID: n.ID, Name: n.Name, Driver: n.Driver, BridgeName: n.BridgeName,
		Created: n.Created, Labels: n.Labels,
	}
	if n.Subnet.IsValid() {
		out.Subnet = n.Subnet.String()
	}
	if n.Gateway.IsValid() {
		out.Gateway = n.Gateway.String()
	}
	for _, ep := range n.Containers {
		e := api.NetworkEndpoint{ContainerID: ep.ContainerID, Name: ep.Name, MacAddress: ep.MAC, Ports: apiPorts(ep.Ports)}
		if ep.IP.IsValid() {
			e.IPAddress = ep.IP.String()
		}
		out.Containers = append(out.Containers, e)
	}
	return out
}

// apiPorts converts published ports to the API's.
func apiPorts(in []network.PortMapping) []api.PortBinding {
	var out []api.PortBinding
	for _, p := range in {
		b := api.PortBinding{HostPort: p.HostPort, ContainerPort: p.ContainerPort, Proto: p.Proto}
		if p.HostIP.IsValid() {
			b.HostIP = p.HostIP.String()
		}
		out = append(out, b)
	}
	return out
}
