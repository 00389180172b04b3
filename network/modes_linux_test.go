package network

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestModes runs a container per mode and checks what it sees: its
// interfaces and its files.
func TestModes(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	f := newFixture(t)
	hostName, _ := os.Hostname()
	for _, tc := range []struct {
		network string
		req     Request
		// wantLinks and noLinks are in the output of `ip -o link`.
		wantLinks, noLinks []string
		// wantFiles are in /etc/hostname, /etc/hosts, /etc/resolv.conf.
		wantFiles []string
	}{
		{None, Request{Hostname: "box", ExtraHosts: []string{"db:10.1.2.3"}},
			[]string{"lo: <LOOPBACK,UP"}, []string{"eth0"},
			[]string{"box\n", "127.0.1.1\tbox", "10.1.2.3\tdb", "nameserver 192.0.2.53", "options edns0"}},
		{Host, Request{DNS: []string{"10.9.9.9"}, DNSSearch: []string{"corp.test"}},
			[]string{"eth0"}, nil,
			[]string{hostName + "\n", "192.0.2.9\thostonly", "nameserver 10.9.9.9", "search corp.test"}},
		{Bridge, Request{Name: "named", ExtraHosts: []string{"gw:host-gateway"}, DNSOptions: []string{"ndots:3"}},
			[]string{"lo: <LOOPBACK,UP", "eth0@"}, nil,
			[]string{gatewayOf(cfg.Subnet).String() + "\tgw", "named", "nameserver 192.0.2.53", "options ndots:3"}},
	} {
		t.Run(tc.network, func(t *testing.T) {
			req := tc.req
			req.ContainerID, req.Network, req.FilesDir = "mode-"+randHex(t, 4), tc.network, t.TempDir()
			att := setup(t, m, req)
			if (att.NetnsPath == "") != (tc.network == Host) {
				t.Errorf("namespace %q for network %s", att.NetnsPath, tc.network)
			}
			out, code := f.run(t, att, "sh", "-c", "ip -o link; cat /etc/hostname /etc/hosts /etc/resolv.conf")
			if code != 0 {
				t.Fatalf("code %d: %s", code, out)
			}
			for _, s := range append(tc.wantLinks, tc.wantFiles...) {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in:\n%s", s, out)
				}
			}
			for _, s := range tc.noLinks {
				if strings.Contains(out, s) {
					t.Errorf("%q in:\n%s", s, out)
				}
			}
			for range 2 { // idempotent
				if err := m.Teardown(context.Background(), att.ContainerID); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestSetupErrors(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	ctx := context.Background()
	att := setup(t, m, Request{ContainerID: "taken"})
	defer m.Teardown(ctx, att.ContainerID)
	for _, tc := range []struct {
		name string
		req  Request
		want error
	}{
		{"id taken", Request{ContainerID: "taken"}, errdefs.ErrAlreadyExists},
		{"bad id", Request{ContainerID: "../x"}, errdefs.ErrInvalidArgument},
		{"no such network", Request{ContainerID: "x", Network: "nope"}, errdefs.ErrNotFound},
		{"ports on host", Request{ContainerID: "x", Network: Host, Ports: []PortMapping{{ContainerPort: 80}}}, errdefs.ErrInvalidArgument},
		{"ports on none", Request{ContainerID: "x", Network: None, Ports: []PortMapping{{ContainerPort: 80}}}, errdefs.ErrInvalidArgument},
		{"host address not ours", Request{ContainerID: "x", Ports: []PortMapping{{HostIP: netip.MustParseAddr("192.0.2.200"), ContainerPort: 80}}}, errdefs.ErrInvalidArgument},
		{"bad extra host", Request{ContainerID: "x", ExtraHosts: []string{"nope"}, FilesDir: t.TempDir()}, errdefs.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := m.Setup(ctx, tc.req); !errors.Is(err, tc.want) {
				t.Errorf("Setup: %v, want %v", err, tc.want)
			}
		})
	}
	if err := m.Teardown(ctx, "never-set-up"); err != nil {
		t.Errorf("Teardown of an unknown id: %v", err)
	}
	if _, err := New(ctx, cfg); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Errorf("a second Manager on the same state: %v, want ErrUnavailable", err)
	}
}

// TestSubnetCollision puts an address of the host in a subnet and checks
// that nothing of ours is placed on it.
func TestSubnetCollision(t *testing.T) {
	needRoot(t)
	probe := newManager(t, testConfig(t)) // for its netlink handle
	used, err := probe.hostPrefixes(nil)
	if err != nil {
		t.Fatal(err)
	}
	first, ok := pickSubnet(DefaultSubnets(), used)
	if !ok {
		testutil.Missing(t, "every default subnet is in use on this host")
	}
	la := netlink.NewLinkAttrs()
	la.Name = "crtd" + randHex(t, 4)
	if err := probe.nl.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil {
		t.Fatal(err)
	}
	defer probe.deleteLink(la.Name)
	dummy, err := probe.nl.LinkByName(la.Name)
	if err != nil {
		t.Fatal(err)
	}
	taken := netip.PrefixFrom(first.Addr().Next().Next(), 24) // an address inside first, on a /24
	if err := probe.nl.AddrAdd(dummy, &netlink.Addr{IPNet: &net.IPNet{IP: taken.Addr().AsSlice(), Mask: net.CIDRMask(24, 32)}}); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t)
	cfg.Subnet = netip.Prefix{}
	m := newManager(t, cfg)
	got, err := m.InspectNetwork(context.Background(), Bridge)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subnet.Overlaps(taken) {
		t.Errorf("the default network took %s, which overlaps %s on %s", got.Subnet, taken, la.Name)
	}
	if _, err := m.CreateNetwork(context.Background(), NetworkOptions{Name: "clash", Subnet: taken.Masked()}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("a network on %s: %v, want ErrConflict", taken, err)
	}
	clash := testConfig(t)
	clash.Subnet = first
	if _, err := New(context.Background(), clash); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("New with subnet %s: %v, want ErrConflict", first, err)
	}
}
