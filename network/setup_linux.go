package network

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Setup connects a container to req.Network before its process runs:
// for None, Bridge and user networks it creates a network namespace
// (Attachment.NetnsPath, for the spec to join) unless req.NetnsPath
// names one, and for the bridges a veth pair with eth0 inside, an
// address, a default route and the published ports. It writes the name-resolution files when
// req.FilesDir is set. A failing Setup leaves nothing behind. An id that
// is attached already gets ErrAlreadyExists; a host port in use or
// published by another container gets ErrConflict.
func (m *Manager) Setup(ctx context.Context, req Request) (*Attachment, error) {
	if err := checkID("container id", req.ContainerID); err != nil {
		return nil, err
	}
	if req.Network == "" {
		req.Network = Bridge
	}
	ports, err := normalizePorts(req.Ports)
	if err != nil {
		return nil, err
	}
	if len(ports) > 0 && (req.Network == Host || req.Network == None) {
		return nil, fmt.Errorf("ports cannot be published on network %s (the container has no address of its own): %w", req.Network, errdefs.ErrInvalidArgument)
	}
	if req.Network == Host {
		files, err := m.writeFiles(req, nil, nil)
		if err != nil {
			return nil, err
		}
		return &Attachment{ContainerID: req.ContainerID, Network: Host, Files: files}, nil
	}
	ep, n, err := m.reserve(req, ports)
	if err != nil {
		return nil, err
	}
	defer ep.mu.Unlock()
	att, err := m.setupEndpoint(ctx, ep, n, req)
	if err != nil {
		if terr := m.teardownLocked(ep); terr != nil {
			err = errors.Join(err, fmt.Errorf("cleaning up after the failed setup: %w", terr))
		}
		return nil, fmt.Errorf("connecting container %s to network %s: %w", req.ContainerID, req.Network, err)
	}
	return att, nil
}

// reserve does the bookkeeping of a Setup under the Manager's lock: the
// address, the host ports, the endpoint. It returns the endpoint locked.
func (m *Manager) reserve(req Request, ports []PortMapping) (*endpoint, *netState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := req.ContainerID
	if ep, ok := m.endpoints[id]; ok {
		return nil, nil, fmt.Errorf("container %s is attached to network %s already: %w", id, ep.rec.Network, errdefs.ErrAlreadyExists)
	}
	rec := &endpointRecord{
		ID: id, Name: req.Name, Network: req.Network, Aliases: req.Aliases,
		Netns: m.netnsPath(id), DNS: req.DNS, Created: time.Now().UTC(),
	}
	if req.NetnsPath != "" {
		rec.Netns, rec.External = req.NetnsPath, true
		rec.NetnsIno = inodeOf(req.NetnsPath)
	}
	var n *netState
	if req.Network != None {
		n = m.networks[req.Network]
		if n == nil || n.removing {
			return nil, nil, fmt.Errorf("network %q: %w", req.Network, errdefs.ErrNotFound)
		}
		ip, err := n.ipam.allocate(id)
		if err != nil {
			return nil, nil, fmt.Errorf("network %s: %w", req.Network, err)
		}
		rec.IP, rec.MAC, rec.HostVeth = ip, macOf(ip).String(), vethName()
	}
	var fds []int
	fail := func(err error) (*endpoint, *netState, error) {
		closeAll(fds)
		if n != nil {
			n.ipam.release(rec.IP, id)
		}
		return nil, nil, err
	}
	for i, p := range ports {
		if p.HostPort != 0 {
			if other, ok := publishedBy(m.ports, p); ok {
				return fail(fmt.Errorf("host port %s is already published by container %s: %w", hostSide(p), other, errdefs.ErrConflict))
			}
		}
		fd, got, err := reservePort(p)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, fd)
		ports[i] = got
	}
	rec.Ports = ports
	for _, p := range ports {
		k := portKey{p.Proto, p.HostPort}
		m.ports[k] = append(m.ports[k], portUse{p.HostIP, id})
	}
	ep := &endpoint{rec: rec, reservations: fds}
	ep.mu.Lock()
	m.endpoints[id] = ep
	return ep, n, nil
}

// setupEndpoint does the work of Setup, in an order that lets
// teardownLocked (and Reconcile after a crash) undo any prefix of it:
// the record first, then the kernel objects it names.
func (m *Manager) setupEndpoint(ctx context.Context, ep *endpoint, n *netState, req Request) (*Attachment, error) {
	rec := ep.rec
	step := func(name string) error {
		if m.cfg.hooks != nil && m.cfg.hooks.afterStep != nil {
			m.cfg.hooks.afterStep(rec.ID, name)
		}
		return ctx.Err()
	}
	if err := m.saveEndpoint(rec); err != nil {
		return nil, err
	}
	if err := step("record"); err != nil {
		return nil, err
	}
	var h *netlink.Handle
	var err error
	if rec.External {
		h, err = joinNetns(rec.Netns)
	} else {
		h, err = createNetns(rec.Netns)
	}
	if err != nil {
		return nil, err
	}
	defer h.Close()
	if err := step("netns"); err != nil {
		return nil, err
	}
	if n != nil {
		if err := m.createVeth(rec, n); err != nil {
			return nil, err
		}
		if err := step("veth"); err != nil {
			return nil, err
		}
		if err := configureIface(h, rec, n.rec, true); err != nil {
			return nil, err
		}
		if err := step("address"); err != nil {
			return nil, err
		}
		if len(rec.Ports) > 0 {
			if err := m.publish(ep); err != nil {
				return nil, err
			}
			if err := step("ports"); err != nil {
				return nil, err
			}
		}
	}
	files, err := m.writeFiles(req, rec, n)
	if err != nil {
		return nil, err
	}
	if err := step("files"); err != nil {
		return nil, err
	}
	att := attachmentOf(rec, n)
	att.Files = files
	return att, nil
}

// configureIface gives the endpoint's interface (eth0, or a further
// network's eth1...) its address and, for the container's first network
// only, the default route, through h (a handle in the container's
// namespace). A further network reaches its own subnet only, as in
// Docker, where the default route stays the first network's.
func configureIface(h *netlink.Handle, rec *endpointRecord, n *networkRecord, defaultRoute bool) error {
	name := rec.iface()
	link, err := h.LinkByName(name)
	if err != nil {
		return fmt.Errorf("finding %s in %s: %w", name, rec.Netns, err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: rec.IP.AsSlice(), Mask: net.CIDRMask(n.Subnet.Bits(), 32)}}
	if err := h.AddrAdd(link, addr); err != nil {
		return fmt.Errorf("adding address %s to %s: %w", addr, name, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("bringing %s up: %w", name, err)
	}
	if !defaultRoute {
		return nil
	}
	route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: n.Gateway.AsSlice()}
	if err := h.RouteAdd(route); err != nil {
		return fmt.Errorf("adding the default route via %s: %w", n.Gateway, err)
	}
	return nil
}

// publish adds the port rules of ep.
func (m *Manager) publish(ep *endpoint) error {
	m.fw.mu.Lock()
	defer m.fw.mu.Unlock()
	if err := m.fw.addPorts(fwEndpoint{id: ep.rec.ID, ip: ep.rec.IP, ports: ep.rec.Ports}); err != nil {
		return err
	}
	// Guarded by the firewall's lock, which rebuilds hold too.
	ep.rulesInstalled = true
	return nil
}

// Teardown removes what Setup and Connect made for container id: port rules, veths,
// namespace mount, reservations, address, record. It may be called any
// number of times, also for an id that was never set up (Host
// containers have nothing to remove). On an error it can be retried.
func (m *Manager) Teardown(ctx context.Context, id string) error {
	if err := checkID("container id", id); err != nil {
		return err
	}
	m.mu.RLock()
	ep := m.endpoints[id]
	m.mu.RUnlock()
	if ep == nil {
		return nil
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.gone {
		return nil
	}
	// The container's further networks first: their interfaces are in
	// the namespace that goes with this endpoint.
	if err := m.teardownExtras(id); err != nil {
		return err
	}
	if err := m.teardownLocked(ep); err != nil {
		return fmt.Errorf("disconnecting container %s from network %s: %w", id, ep.rec.Network, err)
	}
	return nil
}

// teardownLocked undoes any prefix of setupEndpoint; the caller holds
// ep.mu. The kernel objects go first, the record after them, the
// bookkeeping last: if a step fails the record stays, and a retry (or
// Reconcile) finds everything still named.
//
// The host end of the veth is deleted in the background: deleting a
// network device waits for an RCU grace period (about 25 ms here, ten
// times the whole Setup), and nothing needs to wait for it. Unmounting
// the namespace first lets the kernel destroy eth0 with it. The address
// stays taken until the veth is gone, so that no new container gets it
// while the old eth0 may still answer ARP; Close and Reconcile wait for
// these deletions.
func (m *Manager) teardownLocked(ep *endpoint) error {
	rec := ep.rec
	var errs []error
	if len(rec.Ports) > 0 {
		m.fw.mu.Lock()
		if err := m.fw.removePorts(rec.ID); err != nil {
			errs = append(errs, err)
		} else {
			ep.rulesInstalled = false
		}
		m.fw.mu.Unlock()
	}
	if !rec.External {
		if err := removeNetns(m.netnsPath(rec.ID)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := m.removeEndpoint(rec.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	closeAll(ep.reservations)
	ep.reservations = nil
	for _, p := range rec.Ports {
		k := portKey{p.Proto, p.HostPort}
		uses := m.ports[k][:0]
		for _, u := range m.ports[k] {
			if u.containerID != rec.ID {
				uses = append(uses, u)
			}
		}
		if len(uses) == 0 {
			delete(m.ports, k)
		} else {
			m.ports[k] = uses
		}
	}
	delete(m.endpoints, rec.ID)
	ep.gone = true
	if rec.HostVeth == "" {
		return nil
	}
	m.reaping.Add(1)
	go m.reapVeth(rec)
	return nil
}

// reapVeth deletes the host end of a torn-down container's veth pair and
// then frees its address. If the deletion fails the address stays taken
// (better lost than given twice) and Warnings says so.
func (m *Manager) reapVeth(rec *endpointRecord) {
	defer m.reaping.Done()
	if err := m.deleteLink(rec.HostVeth); err != nil {
		m.warn(context.Background(), fmt.Sprintf("container %s: %v; address %s stays reserved", rec.ID, err, rec.IP))
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.networks[rec.Network]; n != nil && rec.IP.IsValid() {
		n.ipam.release(rec.IP, rec.ID)
	}
}

// Attachment returns what Setup made for container id (also after a
// daemon restart), without the file paths. A container that is not
// attached (or is on Host) gets ErrNotFound.
func (m *Manager) Attachment(ctx context.Context, id string) (*Attachment, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ep := m.endpoints[id]
	if ep == nil {
		return nil, fmt.Errorf("network attachment of container %s: %w", id, errdefs.ErrNotFound)
	}
	return attachmentOf(ep.rec, m.networks[ep.rec.Network]), nil
}

func attachmentOf(rec *endpointRecord, n *netState) *Attachment {
	att := &Attachment{ContainerID: rec.containerID(), Network: rec.Network, Iface: rec.iface(), Aliases: rec.Aliases, NetnsPath: rec.Netns, IP: rec.IP, MAC: rec.MAC, Ports: rec.Ports}
	if n != nil {
		att.Gateway, att.PrefixLen = n.rec.Gateway, n.rec.Subnet.Bits()
	}
	return att
}

// macOf derives a container's MAC address from its IPv4 address, as
// Docker did: an address reused later gets the same MAC, so stale ARP
// entries of the neighbours stay right. 02 marks it locally administered.
func macOf(ip netip.Addr) net.HardwareAddr {
	a := ip.As4()
	return net.HardwareAddr{0x02, 0x63, a[0], a[1], a[2], a[3]}
}

// vethName returns a fresh name for a host end of a veth pair.
func vethName() string {
	var b [4]byte
	rand.Read(b[:])
	return "crtv" + hex.EncodeToString(b[:])
}
