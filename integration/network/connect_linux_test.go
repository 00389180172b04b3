package network

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// retryGet is a container command that gets target (netpeer get) and
// retries for a few seconds: a name or route may need a moment.
func retryGet(target string) []string {
	return []string{"/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do /bin/netpeer get " + target + " && exit 0; /bin/sleep 0.3; done; exit 1"}
}

// inspectNetworks is docker inspect's .NetworkSettings.Networks of a
// container, as the CLI prints it with Docker's field names.
func inspectNetworks(t testing.TB, d *testDaemon, name string) map[string]struct {
	Aliases     []string
	NetworkID   string
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
} {
	t.Helper()
	out := d.OK(t, "inspect", "--format", "{{json .NetworkSettings.Networks}}", name)
	var nets map[string]struct {
		Aliases     []string
		NetworkID   string
		IPAddress   string
		IPPrefixLen int
		Gateway     string
		MacAddress  string
	}
	if err := json.Unmarshal([]byte(out), &nets); err != nil {
		t.Fatalf("inspect %s: %v: %q", name, err, out)
	}
	return nets
}

// TestNetworkConnect drives network connect and disconnect through the
// daemon: a running container gets eth1 on a second network at once,
// reaches and resolves that network's members (by --network-alias
// too), inspect shows both networks as Docker does, a restart connects
// it again, a stopped container is connected at its next start,
// Docker's refusals, and disconnect, rm and a daemon killed with -9
// leave no veth, rule, namespace or record behind.
func TestNetworkConnect(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)
	front, back := netip.MustParsePrefix("10.194.211.0/24"), netip.MustParsePrefix("10.194.212.0/24")
	d.OK(t, "network", "create", "--subnet", front.String(), "front")
	d.OK(t, "network", "create", "--subnet", back.String(), "back")
	d.OK(t, "run", "-d", "--name", "srv", "--network", "back", "--network-alias", "db", img, "/bin/netpeer", "serve-tcp", ":80")
	d.OK(t, "run", "-d", "--name", "app", "--network", "front", img, "/bin/sleep", "300")
	srv := d.Inspect(t, "srv")
	if nets := inspectNetworks(t, d, "srv"); len(nets["back"].Aliases) != 1 || nets["back"].Aliases[0] != "db" {
		t.Errorf("srv's networks: %+v", nets)
	}
	// The alias on srv's own network.
	if out := d.OK(t, append([]string{"run", "--rm", "--network", "back", img}, retryGet("db:80")...)...); !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Errorf("db:80 from back: %q", out)
	}
	if r := d.Run(t, "exec", "app", "/bin/netpeer", "get", srv.IPAddress+":80"); r.Code == 0 {
		t.Fatalf("app reached srv on another network before connect: %q", r.Stdout)
	}

	d.OK(t, "network", "connect", "--alias", "api", "back", "app")
	nets := inspectNetworks(t, d, "app")
	fr, bk := nets["front"], nets["back"]
	if len(nets) != 2 || !front.Contains(netip.MustParseAddr(fr.IPAddress)) || !back.Contains(netip.MustParseAddr(bk.IPAddress)) ||
		bk.Gateway != "10.194.212.1" || bk.IPPrefixLen != 24 || bk.MacAddress == "" || bk.NetworkID == "" ||
		len(bk.Aliases) != 1 || bk.Aliases[0] != "api" {
		t.Fatalf("app's networks after connect: %+v", nets)
	}
	if out := d.OK(t, "exec", "app", "/bin/ip", "-o", "-4", "addr", "show", "eth1"); !strings.Contains(out, bk.IPAddress+"/24") {
		t.Errorf("app's eth1: %q, want %s", out, bk.IPAddress)
	}
	for _, target := range []string{srv.IPAddress + ":80", "db:80", "srv:80"} {
		if out := d.OK(t, append([]string{"exec", "app"}, retryGet(target)...)...); !strings.HasPrefix(out, hostname(srv)+" ") {
			t.Errorf("app getting %s after connect: %q", target, out)
		}
	}
	n, err := d.Client.NetworkInspect(t.Context(), "back")
	if err != nil || len(n.Containers) != 2 {
		t.Errorf("network inspect back: %+v, %v", n.Containers, err)
	}

	// Docker's refusals.
	d.OK(t, "run", "-d", "--name", "onhost", "--network", "host", img, "/bin/sleep", "300")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "connect", "back", "app"}, "endpoint with name app already exists in network back"},
		{[]string{"network", "connect", "front", "app"}, "endpoint with name app already exists in network front"},
		{[]string{"network", "connect", "host", "app"}, "cannot be connected to network host"},
		{[]string{"network", "connect", "none", "app"}, "cannot be connected to network none"},
		{[]string{"network", "connect", "front", "onhost"}, "on network host, which cannot be combined"},
		{[]string{"network", "connect", "nowhere", "app"}, "not found"},
		{[]string{"network", "connect", "front", "nobody"}, "no such container: nobody"},
		{[]string{"network", "connect", "--ip", "10.194.211.7", "bridge", "srv"}, "user specified IP address is supported on user defined networks only"},
		{[]string{"network", "connect", "--ip", "10.194.212.9", "front", "srv"}, "not in network front's subnet"},
		{[]string{"network", "connect", "--ip", fr.IPAddress, "front", "srv"}, "already in use"},
		{[]string{"network", "disconnect", "front", "srv"}, "container srv is not connected to network front"},
		{[]string{"network", "disconnect", "host", "onhost"}, "container cannot be disconnected from host network"},
		{[]string{"network", "disconnect", "front", "app"}, "first network"},
		{[]string{"run", "--rm", "--network-alias", "x", img, "/bin/true"}, "network-scoped aliases are supported only for containers in user-defined networks"},
	} {
		if r := d.Run(t, tc.args...); r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%v: %v; want exit 125 and %q", tc.args, r, tc.want)
		}
	}
	d.OK(t, "rm", "-f", "onhost")
	// An address asked for.
	d.OK(t, "network", "connect", "--ip", "10.194.211.77", "front", "srv")
	if got := inspectNetworks(t, d, "srv")["front"].IPAddress; got != "10.194.211.77" {
		t.Errorf("srv on front at %q, want 10.194.211.77", got)
	}

	// A restart connects it again.
	d.OK(t, "restart", "-t", "0", "app")
	if got := inspectNetworks(t, d, "app")["back"]; !back.Contains(netip.MustParseAddr(got.IPAddress)) {
		t.Errorf("app on back after restart: %+v", got)
	}
	if out := d.OK(t, append([]string{"exec", "app"}, retryGet("db:80")...)...); !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Errorf("app getting db:80 after restart: %q", out)
	}

	d.OK(t, "network", "disconnect", "back", "app")
	if r := d.Run(t, "exec", "app", "/bin/netpeer", "get", srv.IPAddress+":80"); r.Code == 0 {
		t.Errorf("app reached srv after disconnect: %q", r.Stdout)
	}
	if out := d.OK(t, "exec", "app", "/bin/ip", "-o", "link"); strings.Contains(out, "eth1") {
		t.Errorf("app's links after disconnect: %q", out)
	}
	if nets := inspectNetworks(t, d, "app"); len(nets) != 1 {
		t.Errorf("app's networks after disconnect: %+v", nets)
	}

	// A stopped container is connected at its next start.
	d.OK(t, "stop", "-t", "0", "app")
	d.OK(t, "network", "connect", "back", "app")
	if got := inspectNetworks(t, d, "app")["back"]; got.IPAddress != "" || got.NetworkID == "" {
		t.Errorf("stopped app on back: %+v, want no address yet", got)
	}
	d.OK(t, "start", "app")
	if out := d.OK(t, append([]string{"exec", "app"}, retryGet("db:80")...)...); !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Errorf("app getting db:80 after start: %q", out)
	}

	// The daemon dies; the connected container keeps its networks, and
	// the next daemon knows them.
	d.Kill9(t)
	d.Start(t)
	if out := d.OK(t, append([]string{"exec", "app"}, retryGet("db:80")...)...); !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Errorf("app getting db:80 after the daemon's restart: %q", out)
	}
	d.OK(t, "network", "disconnect", "back", "app")
	d.OK(t, "network", "connect", "back", "app")

	d.OK(t, "rm", "-f", "app", "srv")
	d.OK(t, "network", "rm", "front", "back")
	d.waitBaseline(t, base)
}

// TestNetworkPrune removes the user-defined networks no container uses,
// keeps those a container is on or connected to (running or not) and
// the predefined ones, and applies Docker's label and until filters.
func TestNetworkPrune(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	for _, args := range [][]string{
		{"idle1"}, {"idle2"}, {"--label", "team=a", "labeled"}, {"--label", "team=b", "other"},
		{"used"}, {"connected"},
	} {
		d.OK(t, append([]string{"network", "create"}, args...)...)
	}
	d.OK(t, "create", "--name", "c1", "--network", "used", img, "/bin/true")
	d.OK(t, "create", "--name", "c2", img, "/bin/true")
	d.OK(t, "network", "connect", "connected", "c2")

	if out := d.OK(t, "network", "prune", "-f", "--filter", "label=team=a"); out != "Deleted Networks:\nlabeled\n" {
		t.Errorf("prune --filter label=team=a: %q", out)
	}
	if out := d.OK(t, "network", "prune", "-f", "--filter", "until=1h"); out != "" {
		t.Errorf("prune --filter until=1h removed networks made just now: %q", out)
	}
	if r := d.Run(t, "network", "prune", "-f", "--filter", "driver=bridge"); r.Code != 125 || !strings.Contains(r.Stderr, "invalid filter 'driver'") {
		t.Errorf("prune with a filter it does not take: %v", r)
	}
	if out := d.OK(t, "network", "prune", "-f", "--filter", "label!=team=b"); out != "Deleted Networks:\nidle1\nidle2\n" {
		t.Errorf("prune --filter label!=team=b: %q", out)
	}
	if out := d.OK(t, "network", "prune", "-f"); out != "Deleted Networks:\nother\n" {
		t.Errorf("prune: %q", out)
	}
	list, err := d.Client.NetworkList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range list {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, " "); got != "bridge connected host none used" {
		t.Errorf("networks after prune: %s", got)
	}
	d.OK(t, "rm", "c1", "c2")
	if out := d.OK(t, "network", "prune", "-f"); out != "Deleted Networks:\nconnected\nused\n" {
		t.Errorf("prune after the containers went: %q", out)
	}
}
