package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ensureBridge makes the bridge of a network exist with its address, up,
// and with route_localnet on (see the package doc); it returns the
// bridge's index. A bridge left by an earlier run is reused.
func (m *Manager) ensureBridge(rec *networkRecord) (int, error) {
	link, err := m.nl.LinkByName(rec.Bridge)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if !errors.As(err, &nf) {
			return 0, fmt.Errorf("looking up bridge %s: %w", rec.Bridge, err)
		}
		la := netlink.NewLinkAttrs()
		la.Name = rec.Bridge
		if err := m.nl.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil {
			return 0, fmt.Errorf("creating bridge %s: %w", rec.Bridge, err)
		}
		if link, err = m.nl.LinkByName(rec.Bridge); err != nil {
			return 0, fmt.Errorf("looking up bridge %s: %w", rec.Bridge, err)
		}
	}
	if link.Type() != "bridge" {
		return 0, fmt.Errorf("interface %s exists and is a %s, not a bridge: %w", rec.Bridge, link.Type(), errdefs.ErrConflict)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: rec.Gateway.AsSlice(), Mask: net.CIDRMask(rec.Subnet.Bits(), 32)}}
	if err := m.nl.AddrReplace(link, addr); err != nil {
		return 0, fmt.Errorf("setting address %s on bridge %s: %w", addr, rec.Bridge, err)
	}
	if err := m.nl.LinkSetUp(link); err != nil {
		return 0, fmt.Errorf("bringing bridge %s up: %w", rec.Bridge, err)
	}
	if err := writeSysctl("net/ipv4/conf/"+rec.Bridge+"/route_localnet", "1"); err != nil {
		return 0, err
	}
	return link.Attrs().Index, nil
}

// deleteBridge deletes a bridge; a missing one is fine. Its ports (the
// host ends of veths) are detached, not deleted: teardown deletes them.
func (m *Manager) deleteBridge(name string) error {
	return m.deleteNamedLink("bridge", name)
}

// deleteLink deletes an interface by name; a missing one is fine.
func (m *Manager) deleteLink(name string) error {
	return m.deleteNamedLink("interface", name)
}

// deleteNamedLink deletes the link called name, a kind ("bridge",
// "interface") for the errors; a missing one is fine.
func (m *Manager) deleteNamedLink(kind, name string) error {
	link, err := m.nl.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("looking up %s %s: %w", kind, name, err)
	}
	if err := m.nl.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("deleting %s %s: %w", kind, name, err)
	}
	return nil
}

// writeSysctl sets /proc/sys/<key> to value unless it has it already.
func writeSysctl(key, value string) error {
	p := "/proc/sys/" + key
	if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == value {
		return nil
	}
	if err := os.WriteFile(p, []byte(value), 0o644); err != nil {
		return fmt.Errorf("setting sysctl %s=%s: %w", strings.ReplaceAll(key, "/", "."), value, err)
	}
	return nil
}

// prefixOf converts a kernel address to a prefix.
func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}
