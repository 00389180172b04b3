package network

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestUserNetworks(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	upstream := newFakeUpstream(t)
	cfg.DNSUpstreams = []netip.AddrPort{upstream.addr}
	m := newManager(t, cfg)
	f := newFixture(t)
	ctx := context.Background()

	netA, err := m.CreateNetwork(ctx, NetworkOptions{Name: "net-a", Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	netB, err := m.CreateNetwork(ctx, NetworkOptions{Name: "net-b"})
	if err != nil {
		t.Fatal(err)
	}
	if netA.Subnet.Overlaps(netB.Subnet) || !cfg.AddressPools[0].Contains(netA.Subnet.Addr()) || netA.Subnet.Bits() != 24 {
		t.Fatalf("subnets %s and %s: want two distinct /24s of %s", netA.Subnet, netB.Subnet, cfg.AddressPools[0])
	}
	if _, err := m.CreateNetwork(ctx, NetworkOptions{Name: "net-a"}); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Errorf("creating net-a twice: %v, want ErrAlreadyExists", err)
	}
	if _, err := m.CreateNetwork(ctx, NetworkOptions{Name: "net-c", Subnet: netA.Subnet}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("creating a network on net-a's subnet: %v, want ErrConflict", err)
	}

	alpha := setup(t, m, Request{ContainerID: "alpha-" + randHex(t, 4), Name: "alpha", Network: "net-a", Aliases: []string{"web"}, FilesDir: t.TempDir()})
	f.start(t, alpha, "netprobe", "serve-tcp", "8080").out.waitFor(t, "ready")
	beta := setup(t, m, Request{ContainerID: "beta-" + randHex(t, 4), Name: "beta", Network: "net-a", FilesDir: t.TempDir()})
	gamma := setup(t, m, Request{ContainerID: "gamma-" + randHex(t, 4), Name: "gamma", Network: "net-b", FilesDir: t.TempDir()})

	t.Run("same network by name", func(t *testing.T) {
		for _, name := range []string{"alpha", "web", "ALPHA"} {
			out, code := f.run(t, beta, "netprobe", "dial-tcp", name+":8080")
			if code != 0 || out != "tcp "+alpha.ContainerID[:12] {
				t.Errorf("beta dialing %s:8080: code %d, %q", name, code, out)
			}
		}
		out, code := f.run(t, alpha, "netprobe", "resolve", "beta")
		if code != 0 || out != beta.IP.String() {
			t.Errorf("alpha resolving beta: code %d, %q; want %s", code, out, beta.IP)
		}
	})
	t.Run("other network", func(t *testing.T) {
		before := upstream.queries.Load()
		out, code := f.run(t, gamma, "netprobe", "resolve", "alpha")
		if code == 0 {
			t.Errorf("gamma on net-b resolved alpha of net-a: %q", out)
		}
		if upstream.queries.Load() == before {
			t.Errorf("the unknown name was not forwarded to the upstream")
		}
		out, code = f.run(t, gamma, "netprobe", "dial-tcp", alpha.IP.String()+":8080")
		if code == 0 {
			t.Errorf("gamma on net-b reached alpha on net-a at %s: %q", alpha.IP, out)
		}
	})
	t.Run("inspect and remove", func(t *testing.T) {
		got, err := m.InspectNetwork(ctx, netA.ID[:8])
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Containers) != 2 || got.Labels["k"] != "v" || got.Name != "net-a" {
			t.Errorf("inspect net-a: %+v", got)
		}
		list, err := m.ListNetworks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range list {
			names = append(names, n.Name)
		}
		if strings.Join(names, " ") != "bridge host net-a net-b none" {
			t.Errorf("networks: %v", names)
		}
		if err := m.RemoveNetwork(ctx, "net-a"); !errors.Is(err, errdefs.ErrConflict) {
			t.Errorf("removing net-a with containers: %v, want ErrConflict", err)
		}
		if err := m.RemoveNetwork(ctx, Bridge); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("removing the default network: %v, want ErrInvalidArgument", err)
		}
		for _, id := range []string{alpha.ContainerID, beta.ContainerID, gamma.ContainerID} {
			if err := m.Teardown(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range []Network{netA, netB} {
			if err := m.RemoveNetwork(ctx, n.Name); err != nil {
				t.Fatal(err)
			}
			if _, err := m.nl.LinkByName(n.BridgeName); err == nil {
				t.Errorf("bridge %s of %s still exists", n.BridgeName, n.Name)
			} else if !errors.As(err, new(netlink.LinkNotFoundError)) {
				t.Error(err)
			}
		}
		if _, err := m.InspectNetwork(ctx, "net-a"); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("inspect of a removed network: %v, want ErrNotFound", err)
		}
	})
}
