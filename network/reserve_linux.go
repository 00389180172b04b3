package network

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// reservePort binds the host side of p, without listening, and returns
// the socket and p with the port the kernel chose when p.HostPort is 0.
// Holding the socket keeps other processes (and other containers) off
// the port for as long as it is published; the DNAT rule takes the
// packets before they could reach it.
func reservePort(p PortMapping) (int, PortMapping, error) {
	typ := unix.SOCK_STREAM
	if p.Proto == UDP {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, p, fmt.Errorf("reserving host port %s: socket: %w", hostSide(p), err)
	}
	sa := &unix.SockaddrInet4{Port: int(p.HostPort)}
	if p.HostIP.IsValid() {
		sa.Addr = p.HostIP.As4()
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		switch {
		case errors.Is(err, unix.EADDRINUSE):
			return -1, p, fmt.Errorf("host port %s is already in use by another program: %w", hostSide(p), errdefs.ErrConflict)
		case errors.Is(err, unix.EADDRNOTAVAIL):
			return -1, p, fmt.Errorf("host address %s of port mapping %s is not an address of this host: %w", p.HostIP, p, errdefs.ErrInvalidArgument)
		}
		return -1, p, fmt.Errorf("binding host port %s: %w", hostSide(p), err)
	}
	if p.HostPort == 0 {
		got, err := unix.Getsockname(fd)
		if err != nil {
			unix.Close(fd)
			return -1, p, fmt.Errorf("reading the port chosen for %s: %w", p, err)
		}
		p.HostPort = uint16(got.(*unix.SockaddrInet4).Port)
	}
	return fd, p, nil
}

// portKey identifies a published port in the Manager's table.
type portKey struct {
	proto string
	port  uint16
}

// portUse is one publication of a port.
type portUse struct {
	hostIP      netip.Addr
	containerID string
}

// publishedBy returns the container that publishes a port overlapping p.
func publishedBy(table map[portKey][]portUse, p PortMapping) (string, bool) {
	for _, u := range table[portKey{p.Proto, p.HostPort}] {
		if overlapsIP(u.hostIP, p.HostIP) {
			return u.containerID, true
		}
	}
	return "", false
}
