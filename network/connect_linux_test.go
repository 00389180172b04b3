package network

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestConnect gives a container a second network and takes it away:
// the interface (eth1), the address, reachability of the other
// network's members and isolation before and after, names across both
// networks, Docker's refusals, and nothing left afterwards.
func TestConnect(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	f := newFixture(t)
	ctx := context.Background()
	baseline := takeSnapshot(t, m)
	netA, err := m.CreateNetwork(ctx, NetworkOptions{Name: "conn-a"})
	if err != nil {
		t.Fatal(err)
	}
	netB, err := m.CreateNetwork(ctx, NetworkOptions{Name: "conn-b"})
	if err != nil {
		t.Fatal(err)
	}
	withNets := takeSnapshot(t, m)

	alpha := setup(t, m, Request{ContainerID: "alpha-" + randHex(t, 4), Name: "alpha", Network: "conn-a", FilesDir: t.TempDir()})
	beta := setup(t, m, Request{ContainerID: "beta-" + randHex(t, 4), Name: "beta", Network: "conn-b", Aliases: []string{"db"}, FilesDir: t.TempDir()})
	f.start(t, beta, "netprobe", "serve-tcp", "8080").out.waitFor(t, "ready")
	betaAddr := beta.IP.String() + ":8080"
	if out, code := f.run(t, alpha, "netprobe", "dial-tcp", betaAddr); code == 0 {
		t.Fatalf("alpha reached beta on another network before connect: %q", out)
	}

	extra, err := m.Connect(ctx, ConnectRequest{ContainerID: alpha.ContainerID, Network: "conn-b", Aliases: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	if extra.Iface != "eth1" || !netB.Subnet.Contains(extra.IP) || extra.Gateway != netB.Gateway || extra.MAC != macOf(extra.IP).String() {
		t.Fatalf("Connect gave %+v, want eth1 with an address of %s", extra, netB.Subnet)
	}
	out, code := f.run(t, alpha, "ip", "-o", "-4", "addr", "show", "eth1")
	if code != 0 || !strings.Contains(out, extra.IP.String()+"/24") {
		t.Errorf("eth1 in alpha: code %d, %q; want %s", code, out, extra.IP)
	}
	if out, code := f.run(t, alpha, "ip", "route"); code != 0 || !strings.Contains(out, "default via "+netA.Gateway.String()+" dev eth0") {
		t.Errorf("alpha's default route is no longer its first network's: %q", out)
	}
	if out, code := f.run(t, alpha, "netprobe", "dial-tcp", betaAddr); code != 0 || out != "tcp "+beta.ContainerID[:12] {
		t.Errorf("alpha dialing beta after connect: code %d, %q", code, out)
	}
	// alpha asks its first network's responder, which also knows the
	// members of the networks alpha was connected to; beta finds alpha
	// by its alias on the second network.
	if out, code := f.run(t, alpha, "netprobe", "resolve", "db"); code != 0 || out != beta.IP.String() {
		t.Errorf("alpha resolving db: code %d, %q; want %s", code, out, beta.IP)
	}
	for _, name := range []string{"alpha", "app"} {
		if out, code := f.run(t, beta, "netprobe", "resolve", name); code != 0 || out != extra.IP.String() {
			t.Errorf("beta resolving %s: code %d, %q; want %s", name, code, out, extra.IP)
		}
	}
	nw, err := m.InspectNetwork(ctx, "conn-b")
	if err != nil {
		t.Fatal(err)
	}
	if len(nw.Containers) != 2 || !strings.Contains(nw.Containers[0].ContainerID+nw.Containers[1].ContainerID, alpha.ContainerID) {
		t.Errorf("conn-b's containers: %+v", nw.Containers)
	}
	if extras := m.Extras(ctx, alpha.ContainerID); len(extras) != 1 || extras[0].IP != extra.IP {
		t.Errorf("Extras(alpha) = %+v", extras)
	}

	none := setup(t, m, Request{ContainerID: "none-" + randHex(t, 4), Network: None})
	ipB := func(last byte) netip.Addr {
		a := netB.Subnet.Addr().As4()
		a[3] = last
		return netip.AddrFrom4(a)
	}
	for _, tc := range []struct {
		name string
		req  ConnectRequest
		want error
	}{
		{"again", ConnectRequest{ContainerID: alpha.ContainerID, Network: "conn-b"}, errdefs.ErrAlreadyExists},
		{"its first network", ConnectRequest{ContainerID: alpha.ContainerID, Network: "conn-a"}, errdefs.ErrAlreadyExists},
		{"host", ConnectRequest{ContainerID: alpha.ContainerID, Network: Host}, errdefs.ErrInvalidArgument},
		{"none", ConnectRequest{ContainerID: alpha.ContainerID, Network: None}, errdefs.ErrInvalidArgument},
		{"a container on none", ConnectRequest{ContainerID: none.ContainerID, Network: "conn-b"}, errdefs.ErrInvalidArgument},
		{"an unknown container", ConnectRequest{ContainerID: "nobody", Network: "conn-b"}, errdefs.ErrNotFound},
		{"an unknown network", ConnectRequest{ContainerID: beta.ContainerID, Network: "nowhere"}, errdefs.ErrNotFound},
		{"a taken address", ConnectRequest{ContainerID: beta.ContainerID, Network: "conn-a", IP: alpha.IP}, errdefs.ErrConflict},
		{"the gateway", ConnectRequest{ContainerID: beta.ContainerID, Network: "conn-a", IP: netA.Gateway}, errdefs.ErrInvalidArgument},
		{"another subnet's address", ConnectRequest{ContainerID: beta.ContainerID, Network: "conn-a", IP: ipB(77)}, errdefs.ErrInvalidArgument},
		{"an address on the default bridge", ConnectRequest{ContainerID: beta.ContainerID, Network: Bridge, IP: ipB(77)}, errdefs.ErrInvalidArgument},
	} {
		if _, err := m.Connect(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("Connect %s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// A chosen address, and the next interface name.
	a := netA.Subnet.Addr().As4()
	a[3] = 77
	want := netip.AddrFrom4(a)
	chosen, err := m.Connect(ctx, ConnectRequest{ContainerID: beta.ContainerID, Network: "conn-a", IP: want})
	if err != nil || chosen.IP != want || chosen.Iface != "eth1" {
		t.Fatalf("Connect beta to conn-a at %s: %+v, %v", want, chosen, err)
	}
	if _, err := m.Connect(ctx, ConnectRequest{ContainerID: beta.ContainerID, Network: Bridge}); err != nil {
		t.Fatal(err)
	}
	if got := m.Extras(ctx, beta.ContainerID); len(got) != 2 || got[0].Network != Bridge || got[0].Iface != "eth2" {
		t.Errorf("beta's further networks: %+v", got)
	}
	if err := m.RemoveNetwork(ctx, "conn-a"); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("removing conn-a while beta is connected to it: %v", err)
	}

	if err := m.Disconnect(ctx, alpha.ContainerID, "conn-b"); err != nil {
		t.Fatal(err)
	}
	if out, code := f.run(t, alpha, "netprobe", "dial-tcp", betaAddr); code == 0 {
		t.Errorf("alpha reached beta after disconnect: %q", out)
	}
	if out, code := f.run(t, alpha, "ip", "-o", "link"); code != 0 || strings.Contains(out, "eth1") {
		t.Errorf("alpha's links after disconnect: %q", out)
	}
	if err := m.Disconnect(ctx, alpha.ContainerID, "conn-b"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("disconnecting twice: %v, want ErrNotFound", err)
	}
	if err := m.Disconnect(ctx, alpha.ContainerID, "conn-a"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("disconnecting the first network: %v, want ErrInvalidArgument", err)
	}
	// Teardown takes the further networks with the container.
	for _, id := range []string{alpha.ContainerID, beta.ContainerID, none.ContainerID} {
		if err := m.Teardown(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	sameSnapshot(t, "after the teardowns", takeSnapshot(t, m), withNets)
	for _, n := range []string{"conn-a", "conn-b"} {
		if err := m.RemoveNetwork(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	sameSnapshot(t, "after removing the networks", takeSnapshot(t, m), baseline)
}

// TestConnectRefusesReplacedNamespace guards the path Connect plumbs an
// interface into: a container's namespace is recorded as a path
// (/proc/PID/ns/net), and if the container's process is gone and the
// PID reused, the path names another process's network. Connect must
// notice that the namespace is no longer the one Setup configured and
// refuse, rather than give that process an interface on the network.
func TestConnectRefusesReplacedNamespace(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	ctx := context.Background()
	if _, err := m.CreateNetwork(ctx, NetworkOptions{Name: "replaced"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ns")
	h, err := createNetns(path)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	t.Cleanup(func() { removeNetns(path) })
	id := "repl-" + randHex(t, 4)
	setup(t, m, Request{ContainerID: id, NetnsPath: path})
	// Another namespace takes the path.
	h, err = createNetns(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := m.Connect(ctx, ConnectRequest{ContainerID: id, Network: "replaced"}); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("Connect into a replaced namespace: %v, want ErrConflict", err)
	}
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Attrs().Name != "lo" {
			t.Errorf("the replacing namespace got interface %s", l.Attrs().Name)
		}
	}
	if err := m.Teardown(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveNetwork(ctx, "replaced"); err != nil {
		t.Fatal(err)
	}
}
