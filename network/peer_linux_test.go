package network

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// peerHost is a network namespace standing for another machine: a veth
// pair links it to the host, /30 addresses on both ends.
type peerHost struct {
	netns string
	// hostAddr is the host's end of the link: the address the peer
	// reaches the host at.
	hostAddr netip.Addr
}

func newPeerHost(t testing.TB, m *Manager) *peerHost {
	t.Helper()
	r := []byte(randHex(t, 2))
	base := [4]byte{10, 199, r[0], r[1] &^ 3}
	hostAddr, peerAddr := base, base
	hostAddr[3]++
	peerAddr[3] += 2
	p := &peerHost{netns: filepath.Join(t.TempDir(), "peer"), hostAddr: netip.AddrFrom4(hostAddr)}
	h, err := createNetns(p.netns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	t.Cleanup(func() { removeNetns(p.netns) })
	ns, err := os.Open(p.netns)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	la := netlink.NewLinkAttrs()
	la.Name = "crtp" + randHex(t, 4)
	la.Flags = net.FlagUp
	if err := m.nl.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: "eth0", PeerNamespace: netlink.NsFd(ns.Fd())}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.deleteLink(la.Name) })
	hostEnd, err := m.nl.LinkByName(la.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.nl.AddrAdd(hostEnd, &netlink.Addr{IPNet: &net.IPNet{IP: hostAddr[:], Mask: net.CIDRMask(30, 32)}}); err != nil {
		t.Fatal(err)
	}
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddrAdd(eth0, &netlink.Addr{IPNet: &net.IPNet{IP: peerAddr[:], Mask: net.CIDRMask(30, 32)}}); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(eth0); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs netprobe args inside the peer.
func (p *peerHost) run(t testing.TB, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("nsenter", append([]string{"--net=" + p.netns, netprobe(t)}, args...)...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// probeHost runs netprobe args on the host.
func probeHost(t testing.TB, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(netprobe(t), args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
