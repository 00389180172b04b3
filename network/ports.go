package network

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// normalizePorts checks the requested mappings and fills in the defaults
// (TCP, all addresses).
func normalizePorts(ports []PortMapping) ([]PortMapping, error) {
	out := make([]PortMapping, 0, len(ports))
	for _, p := range ports {
		if p.Proto == "" {
			p.Proto = TCP
		}
		p.Proto = strings.ToLower(p.Proto)
		if p.Proto != TCP && p.Proto != UDP {
			return nil, fmt.Errorf("port %d: protocol %q is not tcp or udp: %w", p.ContainerPort, p.Proto, errdefs.ErrInvalidArgument)
		}
		if p.ContainerPort == 0 {
			return nil, fmt.Errorf("port mapping %s: the container port is 0: %w", p, errdefs.ErrInvalidArgument)
		}
		if p.HostIP.IsValid() {
			p.HostIP = p.HostIP.Unmap()
			if !p.HostIP.Is4() {
				return nil, fmt.Errorf("port mapping %s: only IPv4 host addresses are supported: %w", p, errdefs.ErrInvalidArgument)
			}
			if p.HostIP.IsUnspecified() {
				p.HostIP = netip.Addr{}
			}
		}
		for _, q := range out {
			if q.Proto == p.Proto && q.HostPort == p.HostPort && p.HostPort != 0 && overlapsIP(p.HostIP, q.HostIP) {
				return nil, fmt.Errorf("host port %s is requested twice: %w", hostSide(p), errdefs.ErrConflict)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// overlapsIP reports whether two host addresses of mappings (invalid:
// all addresses) can receive the same packet.
func overlapsIP(a, b netip.Addr) bool {
	return !a.IsValid() || !b.IsValid() || a == b
}

// hostSide prints the host end of a mapping: "0.0.0.0:8080/tcp".
func hostSide(p PortMapping) string {
	ip := "0.0.0.0"
	if p.HostIP.IsValid() {
		ip = p.HostIP.String()
	}
	return ip + ":" + strconv.Itoa(int(p.HostPort)) + "/" + p.Proto
}

// String prints a mapping as Docker's ps does: "0.0.0.0:8080->80/tcp".
func (p PortMapping) String() string {
	return hostSide(p) + "->" + strconv.Itoa(int(p.ContainerPort)) + "/" + p.Proto
}

// ParsePort parses the -p syntax: [[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTO]
// ("8080:80", "127.0.0.1:8080:80/udp", "127.0.0.1::80", "80"). A missing
// host port is 0 (a free one). Port ranges are not supported.
func ParsePort(s string) (PortMapping, error) {
	var p PortMapping
	bad := func(why string) (PortMapping, error) {
		return PortMapping{}, fmt.Errorf("port %q: %s: %w", s, why, errdefs.ErrInvalidArgument)
	}
	rest, proto, ok := strings.Cut(s, "/")
	p.Proto = TCP
	if ok {
		p.Proto = strings.ToLower(proto)
		if p.Proto != TCP && p.Proto != UDP {
			return bad("the protocol must be tcp or udp")
		}
	}
	var hostIP, hostPort, ctrPort string
	if i := strings.LastIndex(rest, ":"); i < 0 {
		ctrPort = rest
	} else {
		ctrPort = rest[i+1:]
		head := rest[:i]
		if j := strings.LastIndex(head, ":"); j < 0 {
			hostPort = head
		} else {
			hostIP, hostPort = strings.Trim(head[:j], "[]"), head[j+1:]
		}
	}
	num := func(v string, zeroOK bool) (uint16, bool) {
		if v == "" && zeroOK {
			return 0, true
		}
		n, err := strconv.ParseUint(v, 10, 16)
		return uint16(n), err == nil && (n > 0 || zeroOK)
	}
	var good bool
	if p.ContainerPort, good = num(ctrPort, false); !good {
		return bad("the container port must be a number from 1 to 65535")
	}
	if p.HostPort, good = num(hostPort, true); !good {
		return bad("the host port must be a number from 0 to 65535")
	}
	if hostIP != "" {
		a, err := netip.ParseAddr(hostIP)
		if err != nil {
			return bad("the host address is not an IP address")
		}
		p.HostIP = a
	}
	return p, nil
}
