package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ConnectRequest asks Connect to give a container one more network.
type ConnectRequest struct {
	// ContainerID is a container that Setup attached to a bridge or a
	// user-defined network, or to None.
	ContainerID string
	// Network is the bridge network to add (not None or Host).
	Network string
	// Aliases are more names the container answers to on Network.
	Aliases []string
	// IP asks for this address; the zero value picks a free one. Only a
	// user-defined network takes one, as in Docker.
	IP netip.Addr
}

// extraKey is the endpoint id of a container's further network: '+' is
// allowed in neither a container id nor a network name, so keys of
// different pairs never collide, and none is a container id.
func extraKey(containerID, network string) string {
	return containerID + "+" + network
}

// Connect gives a container that Setup attached one more network, as
// Docker's network connect: a veth pair whose container end is the
// next free ethN in the container's namespace, an address of the
// network (no default route: that stays the first network's), and the
// container's name and aliases in the network's name responder. The
// container's first network and its published ports are unchanged.
//
// A container that is not attached gets ErrNotFound; one attached to
// the network already gets ErrAlreadyExists; Host and None, and a
// container on Host or None, get ErrInvalidArgument; an address in use
// gets ErrConflict. A namespace path that no longer names the namespace
// Setup saw (the container's process was replaced) gets ErrConflict, so
// that an interface is never plumbed into another process's network.
// A failing Connect leaves nothing behind; Disconnect, or the
// container's Teardown, undoes a successful one.
func (m *Manager) Connect(ctx context.Context, req ConnectRequest) (*Attachment, error) {
	if err := checkID("container id", req.ContainerID); err != nil {
		return nil, err
	}
	if req.Network == Host || req.Network == None {
		return nil, fmt.Errorf("container cannot be connected to network %s: it can only be a container's only network: %w", req.Network, errdefs.ErrInvalidArgument)
	}
	m.mu.RLock()
	primary := m.endpoints[req.ContainerID]
	m.mu.RUnlock()
	if primary == nil {
		return nil, fmt.Errorf("network attachment of container %s: %w", req.ContainerID, errdefs.ErrNotFound)
	}
	// The first endpoint's lock keeps the container's Teardown out until
	// the new endpoint is complete (or undone): Teardown then finds it.
	primary.mu.Lock()
	defer primary.mu.Unlock()
	if primary.gone {
		return nil, fmt.Errorf("network attachment of container %s: %w", req.ContainerID, errdefs.ErrNotFound)
	}
	if primary.rec.Network == None {
		return nil, fmt.Errorf("container %s is on network none, which cannot be combined with other networks: %w", req.ContainerID, errdefs.ErrInvalidArgument)
	}
	if err := checkNetnsSame(primary.rec); err != nil {
		return nil, err
	}
	ep, n, err := m.reserveExtra(primary.rec, req)
	if err != nil {
		return nil, err
	}
	defer ep.mu.Unlock()
	if err := m.setupExtra(ctx, ep, n); err != nil {
		if terr := m.teardownLocked(ep); terr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up after the failed connect: %w", terr))
		}
		return nil, fmt.Errorf("connecting container %s to network %s: %w", req.ContainerID, req.Network, err)
	}
	return attachmentOf(ep.rec, n), nil
}

// reserveExtra does the bookkeeping of a Connect under the Manager's
// lock: the address, the interface name, the endpoint, returned locked.
func (m *Manager) reserveExtra(primary *endpointRecord, req ConnectRequest) (*endpoint, *netState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.networks[req.Network]
	if n == nil || n.removing {
		return nil, nil, fmt.Errorf("network %q: %w", req.Network, errdefs.ErrNotFound)
	}
	key := extraKey(req.ContainerID, req.Network)
	if _, ok := m.endpoints[key]; ok || primary.Network == req.Network {
		return nil, nil, fmt.Errorf("endpoint with name %s already exists in network %s: %w", orID(primary), req.Network, errdefs.ErrAlreadyExists)
	}
	var ip netip.Addr
	if req.IP.IsValid() {
		if req.Network == Bridge {
			return nil, nil, fmt.Errorf("user specified IP address is supported on user defined networks only: %w", errdefs.ErrInvalidArgument)
		}
		ip = req.IP.Unmap()
		if !n.ipam.usable(ip) {
			return nil, nil, fmt.Errorf("address %s is not a container address of network %s (%s): %w", ip, req.Network, n.rec.Subnet, errdefs.ErrInvalidArgument)
		}
		if other, taken := n.ipam.used[ip]; taken {
			return nil, nil, fmt.Errorf("address %s is already in use on network %s (by %s): %w", ip, req.Network, other, errdefs.ErrConflict)
		}
		n.ipam.used[ip] = key
	} else {
		var err error
		if ip, err = n.ipam.allocate(key); err != nil {
			return nil, nil, fmt.Errorf("network %s: %w", req.Network, err)
		}
	}
	rec := &endpointRecord{
		ID: key, Container: req.ContainerID, Iface: m.nextIface(req.ContainerID),
		Name: primary.Name, Network: req.Network, Aliases: slices.Clone(req.Aliases),
		Netns: primary.Netns, External: true, DNS: primary.DNS, Created: time.Now().UTC(),
		IP: ip, MAC: macOf(ip).String(), HostVeth: vethName(),
	}
	ep := &endpoint{rec: rec}
	ep.mu.Lock()
	m.endpoints[key] = ep
	return ep, n, nil
}

// nextIface is the lowest ethN, N ≥ 1, that no endpoint of the
// container uses; the caller holds m.mu.
func (m *Manager) nextIface(containerID string) string {
	used := map[string]bool{"eth0": true}
	for _, ep := range m.endpoints {
		if ep.rec.Container == containerID {
			used[ep.rec.iface()] = true
		}
	}
	for i := 1; ; i++ {
		if name := "eth" + strconv.Itoa(i); !used[name] {
			return name
		}
	}
}

// setupExtra does the work of Connect in Setup's order: the record, then
// the veth, then the address.
func (m *Manager) setupExtra(ctx context.Context, ep *endpoint, n *netState) error {
	rec := ep.rec
	if err := m.saveEndpoint(rec); err != nil {
		return err
	}
	h, err := joinNetns(rec.Netns)
	if err != nil {
		return err
	}
	defer h.Close()
	if err := m.createVeth(rec, n); err != nil {
		return err
	}
	if err := configureIface(h, rec, n.rec, false); err != nil {
		return err
	}
	return ctx.Err()
}

// Disconnect removes a network that Connect gave a container: its
// interface, address and names. A container that is not connected to
// the network gets ErrNotFound; its first network (Setup's) gets
// ErrInvalidArgument: Teardown removes that one, with the container's
// namespace.
func (m *Manager) Disconnect(ctx context.Context, containerID, network string) error {
	if err := checkID("container id", containerID); err != nil {
		return err
	}
	m.mu.RLock()
	ep := m.endpoints[extraKey(containerID, network)]
	primary := m.endpoints[containerID]
	m.mu.RUnlock()
	if ep == nil {
		if primary != nil && primary.rec.Network == network {
			return fmt.Errorf("network %s is container %s's first network: %w", network, containerID, errdefs.ErrInvalidArgument)
		}
		return fmt.Errorf("container %s is not connected to network %s: %w", containerID, network, errdefs.ErrNotFound)
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.gone {
		return fmt.Errorf("container %s is not connected to network %s: %w", containerID, network, errdefs.ErrNotFound)
	}
	if err := m.teardownLocked(ep); err != nil {
		return fmt.Errorf("disconnecting container %s from network %s: %w", containerID, network, err)
	}
	return nil
}

// Extras are the networks Connect gave container id, by network name.
func (m *Manager) Extras(ctx context.Context, id string) []*Attachment {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*Attachment
	for _, ep := range m.endpoints {
		if ep.rec.Container == id {
			out = append(out, attachmentOf(ep.rec, m.networks[ep.rec.Network]))
		}
	}
	slices.SortFunc(out, func(a, b *Attachment) int { return strings.Compare(a.Network, b.Network) })
	return out
}

// teardownExtras tears down every further network of container id.
func (m *Manager) teardownExtras(id string) error {
	m.mu.RLock()
	var extras []*endpoint
	for _, ep := range m.endpoints {
		if ep.rec.Container == id {
			extras = append(extras, ep)
		}
	}
	m.mu.RUnlock()
	var errs []error
	for _, ep := range extras {
		ep.mu.Lock()
		if !ep.gone {
			errs = append(errs, m.teardownLocked(ep))
		}
		ep.mu.Unlock()
	}
	return errors.Join(errs...)
}

// checkNetnsSame makes sure that the namespace path of an endpoint
// still names the namespace Setup configured (see NetnsIno).
func checkNetnsSame(rec *endpointRecord) error {
	if rec.NetnsIno == 0 {
		return nil // our own mount, which only we change
	}
	if ino := inodeOf(rec.Netns); ino != rec.NetnsIno {
		return fmt.Errorf("the network namespace of container %s (%s) is no longer the one it was attached in: %w", rec.ID, rec.Netns, errdefs.ErrConflict)
	}
	return nil
}

// inodeOf is the inode number of path, 0 if it cannot be had.
func inodeOf(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// orID is the container's name, else its id.
func orID(rec *endpointRecord) string {
	if rec.Name != "" {
		return rec.Name
	}
	return rec.containerID()
}
