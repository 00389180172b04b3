package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// CreateNetwork creates a user-defined network: a bridge of its own, a
// subnet (opts.Subnet, else a free /24 of Config.AddressPools), and a
// name responder for its members. A subnet overlapping a route or
// address of the host or another network gets ErrConflict.
func (m *Manager) CreateNetwork(ctx context.Context, opts NetworkOptions) (Network, error) {
	if err := checkID("network name", opts.Name); err != nil {
		return Network{}, err
	}
	if isPredefined(opts.Name) {
		return Network{}, fmt.Errorf("network %s is predefined: %w", opts.Name, errdefs.ErrAlreadyExists)
	}
	m.netMu.Lock()
	defer m.netMu.Unlock()
	m.mu.RLock()
	_, exists := m.networks[opts.Name]
	skip := map[int]bool{}
	var ours []netip.Prefix
	for _, n := range m.networks {
		skip[n.index] = true
		ours = append(ours, n.rec.Subnet)
	}
	m.mu.RUnlock()
	if exists {
		return Network{}, fmt.Errorf("network %s: %w", opts.Name, errdefs.ErrAlreadyExists)
	}
	used, err := m.hostPrefixes(skip)
	if err != nil {
		return Network{}, err
	}
	used = append(used, ours...)
	subnet := opts.Subnet
	if subnet.IsValid() {
		if err := checkSubnet(subnet); err != nil {
			return Network{}, err
		}
		if u, busy := overlapping(subnet, used); busy {
			return Network{}, fmt.Errorf("subnet %s overlaps %s (a route, an address or another network): %w", subnet, u, errdefs.ErrConflict)
		}
	} else {
		found := false
		for c := range carve(m.cfg.AddressPools, userSubnetBits) {
			if _, busy := overlapping(c, used); !busy {
				subnet, found = c, true
				break
			}
		}
		if !found {
			return Network{}, fmt.Errorf("no free /%d left in the address pools %v: %w", userSubnetBits, m.cfg.AddressPools, errdefs.ErrUnavailable)
		}
	}
	id := newID()
	rec := &networkRecord{
		ID: id, Name: opts.Name, Bridge: m.cfg.BridgePrefix + id[:15-len(m.cfg.BridgePrefix)],
		Subnet: subnet, Gateway: gatewayOf(subnet), Created: time.Now().UTC(), Labels: maps.Clone(opts.Labels),
	}
	n := &netState{rec: rec, ipam: newIPAM(subnet, rec.Gateway), removing: true}
	// The record first (marked removing until it works, so no Setup
	// joins a half-made network): a crash leaves a network that New
	// completes, never a bridge nobody knows.
	m.mu.Lock()
	m.networks[opts.Name] = n
	err = m.saveNetworks()
	m.mu.Unlock()
	if err == nil {
		err = m.bringUp(ctx, n)
	}
	if err != nil {
		if rerr := m.removeNetwork(n); rerr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up: %w", rerr))
		}
		return Network{}, fmt.Errorf("creating network %s: %w", opts.Name, err)
	}
	return m.describe(n, false), nil
}

// bringUp makes the bridge and responder of a recorded network and adds
// its rules.
func (m *Manager) bringUp(ctx context.Context, n *netState) error {
	index, err := m.ensureBridge(n.rec)
	if err != nil {
		return err
	}
	dns, err := m.startResponder(n)
	m.mu.Lock()
	n.index, n.dns = index, dns
	if err == nil {
		n.removing = false
	}
	m.mu.Unlock()
	if err != nil {
		return err
	}
	return m.rebuildFirewall()
}

// RemoveNetwork removes a user-defined network: its rules, responder and
// bridge, then its record. A network with containers attached gets
// ErrConflict; the predefined ones get ErrInvalidArgument.
func (m *Manager) RemoveNetwork(ctx context.Context, name string) error {
	if isPredefined(name) {
		return fmt.Errorf("network %s is predefined and cannot be removed: %w", name, errdefs.ErrInvalidArgument)
	}
	m.netMu.Lock()
	defer m.netMu.Unlock()
	m.mu.Lock()
	n := m.networks[name]
	if n == nil {
		m.mu.Unlock()
		return fmt.Errorf("network %q: %w", name, errdefs.ErrNotFound)
	}
	var attached []string
	for _, ep := range m.endpoints {
		if ep.rec.Network == name {
			attached = append(attached, ep.rec.containerID())
		}
	}
	if len(attached) > 0 {
		m.mu.Unlock()
		slices.Sort(attached)
		return fmt.Errorf("network %s has containers attached (%s): %w", name, strings.Join(attached, ", "), errdefs.ErrConflict)
	}
	n.removing = true
	m.mu.Unlock()
	if err := m.removeNetwork(n); err != nil {
		return fmt.Errorf("removing network %s: %w", name, err)
	}
	return nil
}

// removeNetwork undoes a network marked removing: rules, responder,
// bridge, and the record last.
func (m *Manager) removeNetwork(n *netState) error {
	if err := m.rebuildFirewall(); err != nil {
		return err
	}
	m.mu.Lock()
	dns := n.dns
	n.dns = nil
	m.mu.Unlock()
	if dns != nil {
		dns.close()
	}
	if err := m.deleteBridge(n.rec.Bridge); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.networks, n.rec.Name)
	return m.saveNetworks()
}

// ListNetworks lists the networks, predefined ones included, by name.
func (m *Manager) ListNetworks(ctx context.Context) ([]Network, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []Network{{ID: Host, Name: Host, Driver: "host"}, {ID: None, Name: None, Driver: "null"}}
	for _, n := range m.networks {
		if !n.removing {
			out = append(out, m.describe(n, false))
		}
	}
	slices.SortFunc(out, func(a, b Network) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// InspectNetwork describes a network, found by name, id or a unique
// prefix of its id, with the containers attached.
func (m *Manager) InspectNetwork(ctx context.Context, ref string) (Network, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	switch ref {
	case Host:
		return Network{ID: Host, Name: Host, Driver: "host"}, nil
	case None:
		nw := Network{ID: None, Name: None, Driver: "null"}
		for _, ep := range m.endpoints {
			if ep.rec.Network == None {
				nw.Containers = append(nw.Containers, Endpoint{ContainerID: ep.rec.ID, Name: ep.rec.Name})
			}
		}
		sortEndpoints(nw.Containers)
		return nw, nil
	}
	if n := m.networks[ref]; n != nil && !n.removing {
		return m.describe(n, true), nil
	}
	var found *netState
	for _, n := range m.networks {
		if ref != "" && strings.HasPrefix(n.rec.ID, ref) && !n.removing {
			if found != nil {
				return Network{}, fmt.Errorf("network id prefix %q is ambiguous: %w", ref, errdefs.ErrInvalidArgument)
			}
			found = n
		}
	}
	if found == nil {
		return Network{}, fmt.Errorf("network %q: %w", ref, errdefs.ErrNotFound)
	}
	return m.describe(found, true), nil
}

// describe converts a network; the caller holds m.mu.
func (m *Manager) describe(n *netState, withContainers bool) Network {
	nw := Network{
		ID: n.rec.ID, Name: n.rec.Name, Driver: "bridge", BridgeName: n.rec.Bridge,
		Subnet: n.rec.Subnet, Gateway: n.rec.Gateway, Created: n.rec.Created, Labels: maps.Clone(n.rec.Labels),
	}
	if withContainers {
		for _, ep := range m.endpoints {
			if ep.rec.Network == n.rec.Name {
				nw.Containers = append(nw.Containers, Endpoint{
					ContainerID: ep.rec.containerID(), Name: ep.rec.Name, IP: ep.rec.IP, MAC: ep.rec.MAC, Ports: slices.Clone(ep.rec.Ports),
					Aliases: slices.Clone(ep.rec.Aliases),
				})
			}
		}
		sortEndpoints(nw.Containers)
	}
	return nw
}

func sortEndpoints(eps []Endpoint) {
	slices.SortFunc(eps, func(a, b Endpoint) int { return strings.Compare(a.ContainerID, b.ContainerID) })
}

func isPredefined(name string) bool { return name == Host || name == None || name == Bridge }
