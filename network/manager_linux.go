package network

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// Manager connects containers to networks. One daemon has one: New at
// start, then Reconcile before the first Setup, Close at the end (after
// the other calls returned). Its methods are safe for concurrent use.
// Setups of different containers run in parallel: only the bookkeeping
// (addresses, ports) is done under a lock, the kernel work is not.
type Manager struct {
	cfg  Config
	lock *os.File
	// nl talks to the kernel in the host's namespace; route is its
	// socket for the requests we build ourselves.
	nl    *netlink.Handle
	route *nl.SocketHandle
	fw    *firewall
	// netMu serializes the changes of networks (create, remove).
	netMu sync.Mutex
	// reaping counts the veth deletions running in the background.
	reaping sync.WaitGroup

	mu        sync.RWMutex
	networks  map[string]*netState // by name; the default is Bridge
	endpoints map[string]*endpoint // by container id
	ports     map[portKey][]portUse
	// broken are ids whose record could not be read; Reconcile removes
	// what they name.
	broken   []string
	warnings []string
}

// netState is a bridge network in memory.
type netState struct {
	rec      *networkRecord
	ipam     *ipam
	index    int // the bridge's interface index
	dns      *responder
	removing bool
}

// endpoint is a container's attachment in memory. Its lock is held for
// the whole Setup and Teardown of the container.
type endpoint struct {
	mu  sync.Mutex
	rec *endpointRecord
	// reservations are the sockets holding the published host ports.
	reservations []int
	// rulesInstalled tells whether our table has its port rules; it
	// changes under the firewall's lock.
	rulesInstalled bool
	gone           bool
}

// New opens the state under cfg.StateDir (one Manager per directory: a
// second one gets ErrUnavailable), brings the networks it records back
// (bridges, responders, the nftables table rebuilt from the records, the
// reservations of published ports) and creates the default network the
// first time. It turns net.ipv4.ip_forward on. Endpoints of containers
// that are gone stay until Reconcile. The logger rides in ctx.
func New(ctx context.Context, cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	for _, d := range []string{cfg.StateDir, filepath.Join(cfg.StateDir, endpointsDir), filepath.Join(cfg.StateDir, netnsDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("network: creating %s: %w", d, err)
		}
	}
	m := &Manager{cfg: cfg, networks: map[string]*netState{}, endpoints: map[string]*endpoint{}, ports: map[portKey][]portUse{}}
	if err := m.lockState(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			m.Close()
		}
	}()
	if m.nl, err = netlink.NewHandle(unix.NETLINK_ROUTE); err != nil {
		return nil, fmt.Errorf("network: opening netlink: %w", err)
	}
	sock, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("network: opening netlink: %w", err)
	}
	m.route = &nl.SocketHandle{Socket: sock}
	if m.fw, err = newFirewall(cfg.NFTable); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	for _, d := range []string{cfg.StateDir, filepath.Join(cfg.StateDir, endpointsDir)} {
		if err := atomicfile.RemoveTemps(d); err != nil {
			return nil, fmt.Errorf("network: removing leftovers in %s: %w", d, err)
		}
	}
	if err := m.loadState(ctx); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	if err := writeSysctl("net/ipv4/ip_forward", "1"); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	for _, n := range m.networks {
		if n.index, err = m.ensureBridge(n.rec); err != nil {
			return nil, fmt.Errorf("network %s: %w", n.rec.Name, err)
		}
		if n.rec.Name != Bridge {
			if n.dns, err = m.startResponder(n); err != nil {
				return nil, fmt.Errorf("network %s: %w", n.rec.Name, err)
			}
		}
	}
	if err := m.rebuildFirewall(); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	if droppers, err := m.fw.forwardDroppers(); err != nil {
		m.warn(ctx, err.Error())
	} else {
		for _, d := range droppers {
			m.warn(ctx, fmt.Sprintf("%s drops forwarded packets by default: containers on bridge networks can reach other hosts, and be reached on published ports from them, only if that chain accepts traffic of our bridges", d))
		}
	}
	ok = true
	return m, nil
}

// lockState takes the lock of the state directory.
func (m *Manager) lockState() error {
	p := filepath.Join(m.cfg.StateDir, lockFile)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("network: opening %s: %w", p, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("network: state directory %s is in use by another process: %w", m.cfg.StateDir, errdefs.ErrUnavailable)
	}
	m.lock = f
	return nil
}

// loadState reads the networks and endpoints, creates the default
// network's record the first time, and claims the recorded addresses
// and ports.
func (m *Manager) loadState(ctx context.Context) error {
	recs, err := m.loadNetworks()
	if err != nil {
		return err
	}
	for _, r := range recs {
		m.networks[r.Name] = &netState{rec: r, ipam: newIPAM(r.Subnet, r.Gateway)}
	}
	if _, ok := m.networks[Bridge]; !ok {
		if err := m.createDefault(); err != nil {
			return err
		}
	}
	eps, err := m.loadEndpoints()
	if err != nil {
		return err
	}
	for id, rec := range eps {
		if rec == nil {
			m.broken = append(m.broken, id)
			continue
		}
		ep := &endpoint{rec: rec, rulesInstalled: true}
		m.endpoints[id] = ep
		if n, ok := m.networks[rec.Network]; ok && rec.IP.IsValid() {
			if err := n.ipam.claim(rec.IP, id); err != nil {
				m.warn(ctx, err.Error())
			}
		}
		for _, p := range rec.Ports {
			fd, _, err := reservePort(p)
			if err != nil {
				m.warn(ctx, fmt.Sprintf("container %s: published port %s: %v", id, p, err))
			} else {
				ep.reservations = append(ep.reservations, fd)
			}
			k := portKey{p.Proto, p.HostPort}
			m.ports[k] = append(m.ports[k], portUse{p.HostIP, id})
		}
	}
	return nil
}

// createDefault records the default network, its subnet from the
// configuration or the first free default.
func (m *Manager) createDefault() error {
	used, err := m.hostPrefixes(nil)
	if err != nil {
		return err
	}
	subnet := m.cfg.Subnet
	if subnet.IsValid() {
		if u, busy := overlapping(subnet, used); busy {
			return fmt.Errorf("the default network's subnet %s overlaps %s, a route or address of this host: %w", subnet, u, errdefs.ErrConflict)
		}
	} else {
		var ok bool
		if subnet, ok = pickSubnet(DefaultSubnets(), used); !ok {
			return fmt.Errorf("every default subnet (%v) overlaps a route or address of this host; set one: %w", DefaultSubnets(), errdefs.ErrUnavailable)
		}
	}
	rec := &networkRecord{ID: newID(), Name: Bridge, Bridge: m.cfg.BridgeName, Subnet: subnet, Gateway: gatewayOf(subnet), Created: time.Now().UTC()}
	m.networks[Bridge] = &netState{rec: rec, ipam: newIPAM(subnet, rec.Gateway)}
	return m.saveNetworks()
}

// rebuildFirewall writes our whole table from the state in memory.
func (m *Manager) rebuildFirewall() error {
	m.fw.mu.Lock()
	defer m.fw.mu.Unlock()
	m.mu.RLock()
	var nets []fwNetwork
	for _, n := range m.networks {
		if n.removing {
			continue
		}
		fn := fwNetwork{name: n.rec.Name, bridge: n.rec.Bridge, subnet: n.rec.Subnet, gateway: n.rec.Gateway}
		if n.dns != nil {
			fn.dnsUDP, fn.dnsTCP = n.dns.udpPort, n.dns.tcpPort
		}
		nets = append(nets, fn)
	}
	var eps []fwEndpoint
	for _, ep := range m.endpoints {
		if ep.rulesInstalled && len(ep.rec.Ports) > 0 {
			eps = append(eps, fwEndpoint{id: ep.rec.ID, ip: ep.rec.IP, ports: ep.rec.Ports})
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(nets, func(a, b fwNetwork) int { return strings.Compare(a.name, b.name) })
	return m.fw.rebuild(nets, eps)
}

// warn records a problem that does not stop the Manager.
func (m *Manager) warn(ctx context.Context, msg string) {
	logctx.From(ctx).Warn(msg, "component", "network")
	m.mu.Lock()
	m.warnings = append(m.warnings, msg)
	m.mu.Unlock()
}

// Warnings are the problems New found that did not stop it, such as a
// firewall whose forward policy drops our traffic.
func (m *Manager) Warnings() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.warnings)
}

// Close releases what the Manager holds in this process (responders,
// port reservations, sockets, the state lock) and leaves the kernel's
// state (namespaces, bridges, rules) for the next Manager.
func (m *Manager) Close() error {
	m.reaping.Wait()
	m.mu.Lock()
	for _, n := range m.networks {
		if n.dns != nil {
			n.dns.close()
			n.dns = nil
		}
	}
	for _, ep := range m.endpoints {
		closeAll(ep.reservations)
		ep.reservations = nil
	}
	m.mu.Unlock()
	if m.fw != nil {
		m.fw.close()
	}
	if m.nl != nil {
		m.nl.Close()
	}
	if m.route != nil {
		m.route.Close()
	}
	if m.lock != nil {
		m.lock.Close()
		m.lock = nil
	}
	return nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// newID returns 32 random hex digits.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
