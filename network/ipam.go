package network

import (
	"fmt"
	"net/netip"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ipam hands out the addresses of one subnet. It is not safe for
// concurrent use: the Manager's lock guards it. Uniqueness across daemon
// restarts comes from New, which claims the address of every endpoint
// record before any Setup runs.
type ipam struct {
	subnet  netip.Prefix
	gateway netip.Addr
	used    map[netip.Addr]string // address -> container id
	// last is the address handed out last; the search for a free one
	// starts after it, so that a released address is not reused at once
	// (a peer's ARP cache or conntrack entry may still point at it).
	last netip.Addr
}

func newIPAM(subnet netip.Prefix, gateway netip.Addr) *ipam {
	return &ipam{subnet: subnet, gateway: gateway, used: map[netip.Addr]string{}, last: gateway}
}

// gatewayOf is the first host address of subnet, the bridge's.
func gatewayOf(subnet netip.Prefix) netip.Addr {
	return subnet.Masked().Addr().Next()
}

// broadcastOf is the last address of subnet.
func broadcastOf(subnet netip.Prefix) netip.Addr {
	a := subnet.Masked().Addr().As4()
	host := uint32(1)<<(32-subnet.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// usable reports whether a can be given to a container.
func (a *ipam) usable(ip netip.Addr) bool {
	return a.subnet.Contains(ip) && ip != a.subnet.Masked().Addr() && ip != a.gateway && ip != broadcastOf(a.subnet)
}

// allocate gives id a free address.
func (a *ipam) allocate(id string) (netip.Addr, error) {
	size := 1 << (32 - a.subnet.Bits())
	ip := a.last
	for range size {
		ip = ip.Next()
		if !a.subnet.Contains(ip) {
			ip = a.subnet.Masked().Addr()
		}
		if _, taken := a.used[ip]; taken || !a.usable(ip) {
			continue
		}
		a.used[ip] = id
		a.last = ip
		return ip, nil
	}
	return netip.Addr{}, fmt.Errorf("no free address left in %s: %w", a.subnet, errdefs.ErrUnavailable)
}

// claim marks ip as id's (a record loaded at start).
func (a *ipam) claim(ip netip.Addr, id string) error {
	if !a.usable(ip) {
		return fmt.Errorf("address %s of %s is not usable in %s: %w", ip, id, a.subnet, errdefs.ErrConflict)
	}
	if other, ok := a.used[ip]; ok && other != id {
		return fmt.Errorf("address %s is recorded for both %s and %s: %w", ip, other, id, errdefs.ErrConflict)
	}
	a.used[ip] = id
	return nil
}

// release frees ip if id holds it.
func (a *ipam) release(ip netip.Addr, id string) {
	if a.used[ip] == id {
		delete(a.used, ip)
	}
}
