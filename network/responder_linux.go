package network

import (
	"net/netip"
	"strings"
)

// startResponder starts the DNS responder of a user-defined network.
func (m *Manager) startResponder(n *netState) (*responder, error) {
	return listenResponder(n.rec.Gateway, n.rec.Subnet, networkNames{m: m, network: n.rec.Name})
}

// networkNames answers a responder's questions from the Manager's
// endpoints.
type networkNames struct {
	m       *Manager
	network string
}

// lookupName finds name among the members of this network and, as
// Docker's embedded DNS does, of the other user-defined networks the
// asking container is connected to (Manager.Connect): the addresses on
// this network come first. The default bridge has no names.
func (b networkNames) lookupName(src netip.Addr, name string) []netip.Addr {
	b.m.mu.RLock()
	defer b.m.mu.RUnlock()
	nets := map[string]bool{b.network: true}
	client := ""
	for _, ep := range b.m.endpoints {
		if ep.rec.Network == b.network && ep.rec.IP == src {
			client = ep.rec.containerID()
		}
	}
	if client != "" {
		for _, ep := range b.m.endpoints {
			if ep.rec.containerID() == client && ep.rec.Network != Bridge {
				nets[ep.rec.Network] = true
			}
		}
	}
	var here, elsewhere []netip.Addr
	for _, ep := range b.m.endpoints {
		r := ep.rec
		if !nets[r.Network] || !r.IP.IsValid() {
			continue
		}
		match := strings.EqualFold(r.Name, name)
		for _, a := range r.Aliases {
			match = match || strings.EqualFold(a, name)
		}
		// Docker's embedded DNS also answers a container's short id
		// (Compose and the docker CLI show it as a name on the network).
		if id := r.containerID(); len(id) >= 12 && len(name) == 12 {
			match = match || strings.EqualFold(id[:12], name)
		}
		switch {
		case !match:
		case r.Network == b.network:
			here = append(here, r.IP)
		default:
			elsewhere = append(elsewhere, r.IP)
		}
	}
	return append(here, elsewhere...)
}

func (b networkNames) lookupAddr(ip netip.Addr) (string, bool) {
	b.m.mu.RLock()
	defer b.m.mu.RUnlock()
	for _, ep := range b.m.endpoints {
		r := ep.rec
		if r.Network == b.network && r.IP == ip && r.Name != "" {
			return r.Name, true
		}
	}
	return "", false
}

func (b networkNames) upstreams(src netip.Addr) []netip.AddrPort {
	b.m.mu.RLock()
	var servers []string
	for _, ep := range b.m.endpoints {
		if ep.rec.Network == b.network && ep.rec.IP == src {
			servers = ep.rec.DNS
		}
	}
	b.m.mu.RUnlock()
	if len(servers) == 0 {
		if len(b.m.cfg.DNSUpstreams) > 0 {
			return b.m.cfg.DNSUpstreams
		}
		hostResolv, _ := readOptional(b.m.cfg.ResolvConf)
		servers = parseResolvConf(hostResolv).nameservers
	}
	var out []netip.AddrPort
	for _, s := range servers {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.AddrPortFrom(a.Unmap(), 53))
		}
	}
	return out
}
