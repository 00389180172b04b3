package network

import (
	"fmt"
	"net"
	"testing"
)

// freePort returns a port that nothing uses now.
func freePort(t testing.TB) uint16 {
	t.Helper()
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func TestPublishedPorts(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	f := newFixture(t)
	peer := newPeerHost(t, m)
	fixed := freePort(t)
	att := setup(t, m, Request{
		ContainerID: "publish-" + randHex(t, 4), Hostname: "web", FilesDir: t.TempDir(),
		Ports: []PortMapping{
			{HostPort: fixed, ContainerPort: 8080},
			{ContainerPort: 8080}, // a random host port
			{ContainerPort: 5353, Proto: UDP},
		},
	})
	if len(att.Ports) != 3 || att.Ports[0].HostPort != fixed || att.Ports[1].HostPort == 0 || att.Ports[2].HostPort == 0 {
		t.Fatalf("published ports %v: want %d, then two chosen ones", att.Ports, fixed)
	}
	f.start(t, att, "netprobe", "serve-tcp", "8080").out.waitFor(t, "ready")
	f.start(t, att, "netprobe", "serve-udp", "5353").out.waitFor(t, "ready")
	neighbour := setup(t, m, Request{ContainerID: "neighbour-" + randHex(t, 4)})

	type client struct {
		name string
		run  func(args ...string) (string, error)
		addr string
	}
	clients := []client{
		{"host on localhost", func(a ...string) (string, error) { return probeHost(t, a...) }, "127.0.0.1"},
		{"another host", func(a ...string) (string, error) { return peer.run(t, a...) }, peer.hostAddr.String()},
		// Through the host and back into the bridge: the answer must come
		// back through the host too (hairpin masquerade).
		{"a container on the bridge", func(a ...string) (string, error) {
			out, code := f.run(t, neighbour, append([]string{"netprobe"}, a...)...)
			if code != 0 {
				return out, fmt.Errorf("exit code %d", code)
			}
			return out, nil
		}, att.Gateway.String()},
	}
	for _, c := range clients {
		for _, p := range att.Ports {
			cmd, want := "dial-tcp", "tcp web"
			if p.Proto == UDP {
				cmd, want = "dial-udp", "udp web ping"
			}
			t.Run(fmt.Sprintf("%s/%s", c.name, p), func(t *testing.T) {
				out, err := c.run(cmd, fmt.Sprintf("%s:%d", c.addr, p.HostPort))
				if err != nil || out != want {
					t.Fatalf("%s %s:%d: %v, output %q; want %q", cmd, c.addr, p.HostPort, err, out, want)
				}
			})
		}
	}
	// A host port published only on 127.0.0.1 is not reachable from the
	// other host.
	local := setup(t, m, Request{ContainerID: "publish-local-" + randHex(t, 4), Hostname: "local", FilesDir: t.TempDir(),
		Ports: []PortMapping{{HostIP: mustAddr("127.0.0.1"), ContainerPort: 8080}}})
	f.start(t, local, "netprobe", "serve-tcp", "8080").out.waitFor(t, "ready")
	port := local.Ports[0].HostPort
	if out, err := probeHost(t, "dial-tcp", fmt.Sprintf("127.0.0.1:%d", port)); err != nil || out != "tcp local" {
		t.Errorf("127.0.0.1:%d from the host: %v, %q", port, err, out)
	}
	if out, err := peer.run(t, "dial-tcp", fmt.Sprintf("%s:%d", peer.hostAddr, port)); err == nil {
		t.Errorf("port %d published on 127.0.0.1 only was reached from another host: %q", port, out)
	}
}
