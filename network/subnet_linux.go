package network

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// hostPrefixes lists the IPv4 routes (main table, default routes left
// out) and addresses of the host, except those on the interfaces in
// skip (our own bridges): a new subnet must overlap none of them.
func (m *Manager) hostPrefixes(skip map[int]bool) ([]netip.Prefix, error) {
	var out []netip.Prefix
	routes, err := m.nl.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("listing routes: %w", err)
	}
	for _, r := range routes {
		if skip[r.LinkIndex] {
			continue
		}
		if p, ok := prefixOf(r.Dst); ok && p.Bits() > 0 {
			out = append(out, p)
		}
	}
	addrs, err := m.nl.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("listing addresses: %w", err)
	}
	for _, a := range addrs {
		if skip[a.LinkIndex] {
			continue
		}
		if p, ok := prefixOf(a.IPNet); ok {
			out = append(out, p.Masked())
		}
	}
	return out, nil
}

// overlapping returns the first prefix of used that p overlaps.
func overlapping(p netip.Prefix, used []netip.Prefix) (netip.Prefix, bool) {
	for _, u := range used {
		if p.Overlaps(u) {
			return u, true
		}
	}
	return netip.Prefix{}, false
}

// pickSubnet returns the first candidate that overlaps nothing in used.
func pickSubnet(candidates, used []netip.Prefix) (netip.Prefix, bool) {
	for _, c := range candidates {
		if _, busy := overlapping(c, used); !busy {
			return c, true
		}
	}
	return netip.Prefix{}, false
}

// carve splits each pool into subnets of bits, in order.
func carve(pools []netip.Prefix, bits int) func(yield func(netip.Prefix) bool) {
	return func(yield func(netip.Prefix) bool) {
		for _, pool := range pools {
			n := 1 << (bits - pool.Bits())
			base := pool.Masked().Addr().As4()
			v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
			for i := range n {
				a := v + uint32(i)<<(32-bits)
				p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits)
				if !yield(p) {
					return
				}
			}
		}
	}
}
