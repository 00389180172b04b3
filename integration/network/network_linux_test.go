package network

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// gateway is the default bridge's address on the host.
func (d *testDaemon) gateway(t testing.TB) string {
	t.Helper()
	n, err := d.Client.NetworkInspect(context.Background(), "bridge")
	if err != nil {
		t.Fatal(err)
	}
	return n.Gateway
}

// hostname is what a container's netpeer server says it is.
func hostname(ci api.ContainerInspect) string { return ci.ID[:12] }

// TestOutbound: a bridge container reaches a server on the host side of
// the bridge, and through NAT a server on another host (which sees the
// host's address, not the container's); its resolv.conf names no
// loopback server.
func TestOutbound(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	gw := d.gateway(t)

	l, err := net.Listen("tcp4", net.JoinHostPort(gw, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "host-side %s\n", c.RemoteAddr())
			c.Close()
		}
	}()
	out := d.OK(t, "run", "--rm", "--name", "out1", img, "/bin/netpeer", "get", l.Addr().String())
	src, ok := strings.CutPrefix(strings.TrimSpace(out), "host-side ")
	if !ok {
		t.Fatalf("the container got %q from the host's server", out)
	}
	if ap, err := netip.ParseAddrPort(src); err != nil || !d.net.Subnet.Contains(ap.Addr()) || ap.Addr().String() == gw {
		t.Fatalf("the host's server saw the container as %q, want an address of %s", src, d.net.Subnet)
	}

	peer := newPeerHost(t)
	peer.serve(t, "serve-tcp", peer.peerAddr+":9000")
	out = d.OK(t, "run", "--rm", img, "/bin/sh", "-c",
		"for i in 1 2 3 4 5 6 7 8 9 10; do /bin/netpeer get "+peer.peerAddr+":9000 && exit 0; /bin/sleep 0.3; done; exit 1")
	f := strings.Fields(out)
	if len(f) != 2 || !strings.HasPrefix(f[1], peer.hostAddr+":") {
		t.Fatalf("the other host answered %q; want it to see the host's address %s (masquerade)", out, peer.hostAddr)
	}

	resolv := d.OK(t, "run", "--rm", img, "/bin/cat", "/etc/resolv.conf")
	if !strings.Contains(resolv, "nameserver ") || strings.Contains(resolv, "nameserver 127.") {
		t.Fatalf("resolv.conf of a bridge container:\n%s", resolv)
	}
	resolv = d.OK(t, "run", "--rm", "--dns", "192.0.2.53", "--add-host", "db:192.0.2.10", "--add-host", "gw:host-gateway",
		img, "/bin/cat", "/etc/resolv.conf", "/etc/hosts")
	for _, want := range []string{"nameserver 192.0.2.53", "192.0.2.10\tdb", gw + "\tgw"} {
		if !strings.Contains(resolv, want) {
			t.Errorf("--dns/--add-host: no %q in\n%s", want, resolv)
		}
	}
}

// TestInbound: a server in a container is reached through published
// ports from the host's 127.0.0.1 and from another host; a random host
// port shows in ps and inspect; a port bound to 127.0.0.1 is not reached
// from the other host.
func TestInbound(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	peer := newPeerHost(t)
	hp := freePort(t)
	serve := "/bin/netpeer serve-tcp :80 & exec /bin/netpeer serve-tcp :8081"
	d.OK(t, "run", "-d", "--name", "web", "-p", strconv.Itoa(hp)+":80", "-p", "8081", img, "/bin/sh", "-c", serve)
	ci := d.Inspect(t, "web")
	if len(ci.Ports) != 2 || ci.IPAddress == "" || ci.Gateway != d.gateway(t) {
		t.Fatalf("inspect: ports %+v ip %q gateway %q", ci.Ports, ci.IPAddress, ci.Gateway)
	}
	random := 0
	for _, p := range ci.Ports {
		if p.ContainerPort == 8081 {
			random = int(p.HostPort)
		}
	}
	if random == 0 {
		t.Fatalf("no host port chosen for 8081: %+v", ci.Ports)
	}
	ps := d.OK(t, "ps")
	for _, want := range []string{fmt.Sprintf("0.0.0.0:%d->80/tcp", hp), fmt.Sprintf("0.0.0.0:%d->8081/tcp", random)} {
		if !strings.Contains(ps, want) {
			t.Errorf("ps lacks %q:\n%s", want, ps)
		}
	}

	for _, addr := range []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(hp)), net.JoinHostPort("127.0.0.1", strconv.Itoa(random))} {
		out, err := eventually(func() (string, error) { return getTCP(addr) })
		if err != nil || !strings.HasPrefix(out, hostname(ci)+" ") {
			t.Fatalf("from the host to %s: %q, %v", addr, out, err)
		}
	}
	out, err := eventually(func() (string, error) { return peer.run("get", net.JoinHostPort(peer.hostAddr, strconv.Itoa(hp))) })
	if err != nil || !strings.HasPrefix(out, hostname(ci)+" ") {
		t.Fatalf("from the other host: %q, %v", out, err)
	}
	if f := strings.Fields(out); len(f) != 2 || !strings.HasPrefix(f[1], peer.peerAddr+":") {
		t.Errorf("the container saw the other host as %q, want its own address %s (no masquerade inbound)", out, peer.peerAddr)
	}

	// -P publishes the image's EXPOSE ports on free host ports.
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM "+img+"\nEXPOSE 80 53/udp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.OK(t, "build", "-t", "exposed", ctxDir)
	d.OK(t, "run", "-d", "--name", "all", "-P", "exposed", "/bin/netpeer", "serve-tcp", ":80")
	all := d.Inspect(t, "all")
	if len(all.Ports) != 2 || all.Ports[0].HostPort == 0 || all.Ports[1].HostPort == 0 {
		t.Fatalf("-P published %+v, want 53/udp and 80/tcp on free ports", all.Ports)
	}
	for _, p := range all.Ports {
		if p.ContainerPort == 80 {
			addr := "127.0.0.1:" + strconv.Itoa(int(p.HostPort))
			if out, err := eventually(func() (string, error) { return getTCP(addr) }); err != nil || !strings.HasPrefix(out, hostname(all)+" ") {
				t.Fatalf("-P port %s: %q, %v", addr, out, err)
			}
		}
	}

	// Bound to 127.0.0.1: the host reaches it, the other host does not.
	lp := freePort(t)
	d.OK(t, "run", "-d", "--name", "local", "-p", "127.0.0.1:"+strconv.Itoa(lp)+":80", img, "/bin/netpeer", "serve-tcp", ":80")
	local := d.Inspect(t, "local")
	out, err = eventually(func() (string, error) { return getTCP("127.0.0.1:" + strconv.Itoa(lp)) })
	if err != nil || !strings.HasPrefix(out, hostname(local)+" ") {
		t.Fatalf("from the host to 127.0.0.1:%d: %q, %v", lp, out, err)
	}
	if out, err := peer.run("get", net.JoinHostPort(peer.hostAddr, strconv.Itoa(lp))); err == nil {
		t.Fatalf("the other host reached a port published on 127.0.0.1 only: %q", out)
	}
}

// TestUDP: a UDP port published from a container answers the host and
// another host.
func TestUDP(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	peer := newPeerHost(t)
	hp := strconv.Itoa(freePort(t))
	d.OK(t, "run", "-d", "--name", "dns", "-p", hp+":5353/udp", img, "/bin/netpeer", "serve-udp", ":5353")
	ci := d.Inspect(t, "dns")
	if len(ci.Ports) != 1 || ci.Ports[0].Proto != "udp" || ci.Ports[0].HostPort == 0 {
		t.Fatalf("inspect ports %+v", ci.Ports)
	}
	out, err := eventually(func() (string, error) { return askUDP("127.0.0.1:"+hp, "ping") })
	if f := strings.Fields(out); err != nil || len(f) != 3 || f[0] != hostname(ci) || f[2] != "ping" {
		t.Fatalf("UDP from the host: %q, %v", out, err)
	}
	out, err = eventually(func() (string, error) { return peer.run("udp", net.JoinHostPort(peer.hostAddr, hp), "pong") })
	if f := strings.Fields(out); err != nil || len(f) != 3 || f[0] != hostname(ci) || f[2] != "pong" {
		t.Fatalf("UDP from the other host: %q, %v", out, err)
	}
	// The TCP port of the same number is not published.
	if out, err := getTCP("127.0.0.1:" + hp); err == nil {
		t.Fatalf("TCP %s answered %q; only UDP is published", hp, out)
	}
}

// TestPortConflict: a host port in use by another program, or published
// by another container, fails the start with a message naming it, and
// leaves nothing behind.
func TestPortConflict(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)

	busy, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	r := d.Run(t, "run", "-d", "--name", "c1", "-p", port+":80", img, "/bin/netpeer", "serve-tcp", ":80")
	if r.Code != 125 || !strings.Contains(r.Stderr, "host port 0.0.0.0:"+port+"/tcp is already in use") {
		t.Fatalf("start on a port in use: %v", r)
	}
	d.waitBaseline(t, base)
	if ci := d.Inspect(t, "c1"); ci.State == "running" || ci.StateDetail.Error == "" {
		t.Fatalf("c1 after the failed start: state %s, error %q", ci.State, ci.StateDetail.Error)
	}

	p2 := strconv.Itoa(freePort(t))
	d.OK(t, "run", "-d", "--name", "c2", "-p", p2+":80", img, "/bin/netpeer", "serve-tcp", ":80")
	withC2 := d.snapshot(t)
	c2 := d.Inspect(t, "c2")
	r = d.Run(t, "run", "-d", "--name", "c3", "-p", "127.0.0.1:"+p2+":80", img, "/bin/netpeer", "serve-tcp", ":80")
	if r.Code != 125 || !strings.Contains(r.Stderr, "host port 127.0.0.1:"+p2+"/tcp is already published by container "+c2.ID) {
		t.Fatalf("start on a port published by c2: %v", r)
	}
	d.waitBaseline(t, withC2)
	// c2 still answers; UDP of the same number is another port.
	if out, err := eventually(func() (string, error) { return getTCP("127.0.0.1:" + p2) }); err != nil || !strings.HasPrefix(out, hostname(c2)) {
		t.Fatalf("c2 after the conflict: %q, %v", out, err)
	}
	d.OK(t, "run", "-d", "--name", "c4", "-p", p2+":80/udp", img, "/bin/netpeer", "serve-udp", ":80")

	d.OK(t, "rm", "-f", "c1", "c2", "c3", "c4")
	d.waitBaseline(t, base)
}

// TestUserNetworks: containers of a user-defined network reach each
// other by name; containers of another network, or of the default
// bridge, reach them neither by name nor by address.
func TestUserNetworks(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)
	d.OK(t, "network", "create", "--subnet", "10.194.201.0/24", "front")
	d.OK(t, "network", "create", "back")
	ls := d.OK(t, "network", "ls")
	for _, want := range []string{"front", "back", "10.194.201.0/24", "bridge", "host", "none"} {
		if !strings.Contains(ls, want) {
			t.Errorf("network ls lacks %q:\n%s", want, ls)
		}
	}
	if r := d.Run(t, "network", "create", "--subnet", "10.194.201.0/25", "overlap"); r.Code != 125 || !strings.Contains(r.Stderr, "overlaps") {
		t.Errorf("an overlapping subnet: %v", r)
	}

	d.OK(t, "run", "-d", "--name", "srv", "--network", "front", img, "/bin/netpeer", "serve-tcp", ":80")
	srv := d.Inspect(t, "srv")
	if !netip.MustParsePrefix("10.194.201.0/24").Contains(netip.MustParseAddr(srv.IPAddress)) || srv.Network != "front" {
		t.Fatalf("srv: network %q address %q", srv.Network, srv.IPAddress)
	}
	retry := func(target string) []string {
		return []string{"/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do /bin/netpeer get " + target + " && exit 0; /bin/sleep 0.3; done; exit 1"}
	}
	out := d.OK(t, append([]string{"run", "--rm", "--name", "client", "--network", "front", img}, retry("srv:80")...)...)
	if !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Fatalf("by name on the same network: %q", out)
	}

	n, err := d.Client.NetworkInspect(context.Background(), "front")
	if err != nil || len(n.Containers) != 1 || n.Containers[0].Name != "srv" || n.Containers[0].IPAddress != srv.IPAddress {
		t.Fatalf("network inspect front: %+v, %v", n, err)
	}

	for _, tc := range []struct{ network, target string }{
		{"back", "srv:80"},
		{"back", srv.IPAddress + ":80"},
		{"bridge", srv.IPAddress + ":80"},
	} {
		r := d.Run(t, "run", "--rm", "--network", tc.network, img, "/bin/netpeer", "get", tc.target)
		if r.Code == 0 {
			t.Errorf("a container on %s reached %s: %q", tc.network, tc.target, r.Stdout)
		}
	}

	if r := d.Run(t, "network", "rm", "front"); r.Code != 125 || !strings.Contains(r.Stderr, "has containers attached") {
		t.Errorf("network rm with a container attached: %v", r)
	}
	if r := d.Run(t, "network", "rm", "bridge"); r.Code != 125 {
		t.Errorf("network rm bridge: %v", r)
	}
	d.OK(t, "rm", "-f", "srv")
	d.OK(t, "network", "rm", "front", "back")
	d.waitBaseline(t, base)
}

// TestConcurrentStarts: 50 containers started at once get 50 distinct
// addresses of the subnet.
func TestConcurrentStarts(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			if r := d.Run(t, "run", "-d", "--name", "c"+strconv.Itoa(i), img, "/bin/sleep", "300"); r.Code != 0 {
				errs[i] = r.String()
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Fatal(e)
		}
	}
	seen := map[string]string{}
	gw := d.gateway(t)
	for i := range n {
		ci := d.Inspect(t, "c"+strconv.Itoa(i))
		a, err := netip.ParseAddr(ci.IPAddress)
		if err != nil || !d.net.Subnet.Contains(a) || ci.IPAddress == gw {
			t.Fatalf("%s has address %q", ci.Name, ci.IPAddress)
		}
		if other, dup := seen[ci.IPAddress]; dup {
			t.Fatalf("%s and %s both have %s", other, ci.Name, ci.IPAddress)
		}
		seen[ci.IPAddress] = ci.Name
	}
	names := []string{"rm", "-f"}
	for i := range n {
		names = append(names, "c"+strconv.Itoa(i))
	}
	d.OK(t, names...)
	d.waitBaseline(t, base)
}

// TestAddressesReleased: a /29 has five addresses for containers; eight
// containers in a row get one each (addresses come back at exit), and a
// sixth at once is refused with a clear message.
func TestAddressesReleased(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	d.OK(t, "network", "create", "--subnet", "10.194.203.0/29", "tiny")
	for i := range 8 {
		d.OK(t, "run", "--rm", "--name", "once"+strconv.Itoa(i), "--network", "tiny", img, "/bin/true")
	}
	for i := range 5 {
		d.OK(t, "run", "-d", "--name", "held"+strconv.Itoa(i), "--network", "tiny", img, "/bin/sleep", "300")
	}
	r := d.Run(t, "run", "-d", "--name", "sixth", "--network", "tiny", img, "/bin/sleep", "300")
	if r.Code != 125 || !strings.Contains(r.Stderr, "no free address left in 10.194.203.0/29") {
		t.Fatalf("a sixth container on a /29: %v", r)
	}
}

// TestDaemonKill9: the daemon is killed with running bridge containers;
// they stay reachable while it is down and after it is back, a container
// that died meanwhile is cleaned up by the restarted daemon, and once
// everything is removed nothing is left: links, namespaces, rules,
// records.
func TestDaemonKill9(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)
	d.OK(t, "network", "create", "--subnet", "10.194.202.0/24", "front")
	hp := strconv.Itoa(freePort(t))
	d.OK(t, "run", "-d", "--name", "web", "-p", hp+":80", img, "/bin/netpeer", "serve-tcp", ":80")
	d.OK(t, "run", "-d", "--name", "srv", "--network", "front", img, "/bin/netpeer", "serve-tcp", ":80")
	d.OK(t, "run", "-d", "--name", "victim", "--network", "front", "-p", "8080", img, "/bin/sleep", "300")
	web, srv, victim := d.Inspect(t, "web"), d.Inspect(t, "srv"), d.Inspect(t, "victim")
	if out, err := eventually(func() (string, error) { return getTCP("127.0.0.1:" + hp) }); err != nil || !strings.HasPrefix(out, hostname(web)) {
		t.Fatalf("web before the crash: %q, %v", out, err)
	}
	withAll := d.snapshot(t)

	d.Kill9(t)
	if out, err := getTCP("127.0.0.1:" + hp); err != nil || !strings.HasPrefix(out, hostname(web)) {
		t.Fatalf("web while the daemon is down: %q, %v", out, err)
	}
	// The victim dies while no daemon watches.
	if err := syscall.Kill(victim.StateDetail.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing the victim's init %d: %v", victim.StateDetail.Pid, err)
	}

	d.Start(t)
	if out, err := eventually(func() (string, error) { return getTCP("127.0.0.1:" + hp) }); err != nil || !strings.HasPrefix(out, hostname(web)) {
		t.Fatalf("web after the restart: %q, %v", out, err)
	}
	out := d.OK(t, "run", "--rm", "--network", "front", img, "/bin/sh", "-c",
		"for i in 1 2 3 4 5 6 7 8 9 10; do /bin/netpeer get srv:80 && exit 0; /bin/sleep 0.3; done; exit 1")
	if !strings.HasPrefix(out, hostname(srv)+" ") {
		t.Fatalf("by name after the restart: %q", out)
	}
	if st := d.Inspect(t, "victim").State; st != "exited" {
		t.Fatalf("the victim is %s after the restart, want exited", st)
	}
	// The victim's endpoint is gone: one veth and one record fewer.
	afterRestart := d.snapshot(t)
	if len(afterRestart.records) != len(withAll.records)-1 || len(afterRestart.links) > len(withAll.links)-1 {
		t.Errorf("after the restart: records %q links %q; before the crash: records %q links %q",
			afterRestart.records, afterRestart.links, withAll.records, withAll.links)
	}
	n, err := d.Client.NetworkInspect(context.Background(), "front")
	if err != nil || len(n.Containers) != 1 || n.Containers[0].Name != "srv" {
		t.Errorf("network front after the restart: %+v, %v", n.Containers, err)
	}

	d.OK(t, "rm", "-f", "web", "srv", "victim")
	d.OK(t, "network", "rm", "front")
	d.waitBaseline(t, base)
}
