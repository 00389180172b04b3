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

func (b networkNames) lookupName(name string) []netip.Addr {
	b.m.mu.RLock()
	defer b.m.mu.RUnlock()
	var out []netip.Addr
	for _, ep := range b.m.endpoints {
		r := ep.rec
		if r.Network != b.network || !r.IP.IsValid() {
			continue
		}
		match := strings.EqualFold(r.Name, name)
		for _, a := range r.Aliases {
			match = match || strings.EqualFold(a, name)
		}
		if match {
			out = append(out, r.IP)
		}
	}
	return out
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
