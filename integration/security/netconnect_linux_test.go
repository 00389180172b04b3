package security

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// serveSecret is a container command that says "secret" to every TCP
// connection on port 80 (busybox nc).
var serveSecret = []string{"/bin/sh", "-c", "while true; do echo secret | nc -l -p 80; done"}

// getSecret is a container shell line that fetches the secret from ip,
// trying three times, and prints what it got.
func getSecret(ip string) string {
	return "for i in 1 2 3; do nc -w 2 " + ip + " 80 </dev/null | grep secret && exit 0; sleep 0.3; done; exit 1"
}

// TestNetworkBreakout_RouteThroughConnectedContainer guards the
// isolation of user-defined networks against a container that network
// connect made a member of two of them. The attacker ("eve", with
// CAP_NET_ADMIN in its own namespace) is on the front network only; a
// victim container ("app") is on front and was connected to back, where
// a server holds a secret. Eve routes back's subnet through app's front
// address, hoping app (whose namespace may forward) relays it. The
// attack fails if eve never gets the secret, while app itself does (so
// the server was there to be reached), and eve cannot reach it directly
// either.
func TestNetworkBreakout_RouteThroughConnectedContainer(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	removeOnFailure(t, d, []string{"app", "srv"}, []string{"front", "back"})
	d.OK(t, "network", "create", "front")
	d.OK(t, "network", "create", "back")
	d.OK(t, append([]string{"run", "-d", "--name", "srv", "--network", "back", img}, serveSecret...)...)
	d.OK(t, "run", "-d", "--name", "app", "--network", "front", img, "sleep", "300")
	d.OK(t, "network", "connect", "back", "app")
	srvIP, appIP := d.Inspect(t, "srv").IPAddress, d.Inspect(t, "app").IPAddress
	back, err := d.Client.NetworkInspect(t.Context(), "back")
	if err != nil {
		t.Fatal(err)
	}
	if out := d.OK(t, "exec", "app", "/bin/sh", "-c", getSecret(srvIP)); strings.TrimSpace(out) != "secret" {
		t.Fatalf("app, connected to back, did not get the secret (the test proves nothing): %q", out)
	}
	r := d.Run(t, "run", "--rm", "--network", "front", "--cap-add", "NET_ADMIN", img, "/bin/sh", "-c",
		"nc -w 2 "+srvIP+" 80 </dev/null; ip route add "+back.Subnet+" via "+appIP+" && "+getSecret(srvIP))
	if strings.Contains(r.Stdout, "secret") {
		t.Fatalf("eve, on front only, got back's secret (through app): %v", r)
	}
	d.OK(t, "rm", "-f", "app", "srv")
	d.OK(t, "network", "rm", "front", "back")
}

// TestNetworkBreakout_ConnectHostNetworkContainer guards the host's
// network namespace: a container on the host network shares it, so
// connecting it to a network would plumb a veth end into the host and
// give the host an address on the container network. Docker refuses;
// so must we, and no interface may appear on the host.
func TestNetworkBreakout_ConnectHostNetworkContainer(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	removeOnFailure(t, d, []string{"onhost", "alone"}, []string{"front"})
	d.OK(t, "network", "create", "front")
	d.OK(t, "run", "-d", "--name", "onhost", "--network", "host", img, "sleep", "300")
	d.OK(t, "run", "-d", "--name", "alone", "--network", "none", img, "sleep", "300")
	var subnets []netip.Prefix
	for _, n := range []string{"front", "bridge"} {
		nw, err := d.Client.NetworkInspect(t.Context(), n)
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, netip.MustParsePrefix(nw.Subnet))
	}
	before := hostLinks(t, subnets...)
	for _, ctr := range []string{"onhost", "alone"} {
		for _, nw := range []string{"front", "bridge"} {
			if r := d.Run(t, "network", "connect", nw, ctr); r.Code == 0 {
				t.Errorf("network connect %s %s was accepted", nw, ctr)
			}
		}
	}
	if r := d.Run(t, "network", "connect", "host", "alone"); r.Code == 0 {
		t.Errorf("network connect host alone was accepted")
	}
	if after := hostLinks(t, subnets...); after != before {
		t.Errorf("the host's interfaces changed:\n%s\nbefore:\n%s", after, before)
	}
	if out := d.OK(t, "exec", "alone", "ip", "-o", "link"); strings.Contains(out, "eth") {
		t.Errorf("the none container got an interface: %q", out)
	}
	d.OK(t, "rm", "-f", "onhost", "alone")
	d.OK(t, "network", "rm", "front")
}

// removeOnFailure removes the test's containers and networks when it
// fails before it removed them itself (the daemon's own cleanup removes
// containers, but a user-defined network's bridge would stay).
func removeOnFailure(t *testing.T, d *daemon.Daemon, containers, networks []string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		d.Run(t, append([]string{"rm", "-f"}, containers...)...)
		for _, n := range networks {
			d.Run(t, "network", "rm", n)
		}
	})
}

// hostLinks lists the host's interfaces named eth* (the name of a
// container's end of a veth pair) and the host's addresses in the
// subnets given: only the networks' gateways may be there.
func hostLinks(t testing.TB, subnets ...netip.Prefix) string {
	t.Helper()
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range ifaces {
		if strings.HasPrefix(i.Name, "eth") {
			out = append(out, i.Name)
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			for _, s := range subnets {
				if s.Contains(p.Addr()) {
					out = append(out, i.Name+" "+p.String())
				}
			}
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
