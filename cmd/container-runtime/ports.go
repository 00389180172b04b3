package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// parsePublish parses the -p values: [[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/tcp|/udp]
// ("8080:80", "127.0.0.1:8080:80/udp", "127.0.0.1::80", "80"). A missing
// host port is 0: the daemon picks a free one at each start.
func parsePublish(values []string) ([]api.PortBinding, error) {
	var out []api.PortBinding
	for _, v := range values {
		b, err := parsePort(v)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func parsePort(s string) (api.PortBinding, error) {
	bad := func(why string) (api.PortBinding, error) {
		return api.PortBinding{}, fmt.Errorf("invalid -p %q: %s (want [[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/tcp|/udp])", s, why)
	}
	rest, proto, hasProto := strings.Cut(s, "/")
	b := api.PortBinding{Proto: "tcp"}
	if hasProto {
		b.Proto = strings.ToLower(proto)
		if b.Proto != "tcp" && b.Proto != "udp" {
			return bad("the protocol must be tcp or udp")
		}
	}
	var hostIP, hostPort, ctrPort string
	if i := strings.LastIndex(rest, ":"); i < 0 {
		ctrPort = rest
	} else {
		ctrPort, hostPort = rest[i+1:], rest[:i]
		if j := strings.LastIndex(hostPort, ":"); j >= 0 {
			hostIP, hostPort = strings.Trim(hostPort[:j], "[]"), hostPort[j+1:]
		}
	}
	n, err := strconv.ParseUint(ctrPort, 10, 16)
	if err != nil || n == 0 {
		return bad("the container port must be a number from 1 to 65535")
	}
	b.ContainerPort = uint16(n)
	if hostPort != "" {
		n, err := strconv.ParseUint(hostPort, 10, 16)
		if err != nil {
			return bad("the host port must be a number from 0 to 65535")
		}
		b.HostPort = uint16(n)
	}
	if hostIP != "" {
		a, err := netip.ParseAddr(hostIP)
		if err != nil || !a.Unmap().Is4() {
			return bad("the host address must be an IPv4 address")
		}
		b.HostIP = a.Unmap().String()
	}
	return b, nil
}

// formatPorts is Docker's PORTS column: "0.0.0.0:8080->80/tcp, 127.0.0.1:32768->53/udp".
func formatPorts(ports []api.PortBinding) string {
	parts := make([]string, 0, len(ports))
	for _, p := range ports {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		proto := p.Proto
		if proto == "" {
			proto = "tcp"
		}
		parts = append(parts, fmt.Sprintf("%s:%d->%d/%s", ip, p.HostPort, p.ContainerPort, proto))
	}
	return strings.Join(parts, ", ")
}
