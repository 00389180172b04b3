package network

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
)

// serveTCP accepts connections on addr (port 0: any) until the test
// ends, answering each with greeting.
func serveTCP(t testing.TB, addr netip.Addr, greeting string) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp4", netip.AddrPortFrom(addr, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(greeting))
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).AddrPort()
}

func TestOutbound(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	f := newFixture(t)
	att := setup(t, m, Request{ContainerID: "outbound-" + randHex(t, 4), Name: "out", FilesDir: t.TempDir()})
	if !cfg.Subnet.Contains(att.IP) || att.Gateway != gatewayOf(cfg.Subnet) || att.PrefixLen != 24 {
		t.Fatalf("attachment %+v does not fit subnet %s", att, cfg.Subnet)
	}
	if _, err := os.Stat(att.NetnsPath); err != nil {
		t.Fatalf("namespace mount: %v", err)
	}
	server := serveTCP(t, att.Gateway, "hello from the host\n")
	out, code := f.run(t, att, "netprobe", "dial-tcp", server.String())
	if code != 0 || out != "hello from the host" {
		t.Fatalf("dial from the container to %s: code %d, output %q", server, code, out)
	}
	out, code = f.run(t, att, "sh", "-c", "ip -4 addr show eth0; ip route; cat /etc/resolv.conf /etc/hosts /etc/hostname")
	for _, want := range []string{att.IP.String() + "/24", "default via " + att.Gateway.String(), "nameserver 192.0.2.53", att.IP.String() + "\t" + att.ContainerID[:12]} {
		if !strings.Contains(out, want) {
			t.Errorf("container sees no %q (code %d):\n%s", want, code, out)
		}
	}
	if err := m.Teardown(context.Background(), att.ContainerID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(att.NetnsPath); !os.IsNotExist(err) {
		t.Errorf("namespace mount still there after Teardown: %v", err)
	}
}

// TestJoinCreatedContainer configures the namespace of a container that
// runtime.Create made (its process not started yet), the way a caller
// that lets the runtime create namespaces works, and checks the files
// bound at create see what Setup wrote afterwards.
func TestJoinCreatedContainer(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	f := newFixture(t)
	files := t.TempDir()
	empty := Files{Hostname: files + "/hostname", Hosts: files + "/hosts", ResolvConf: files + "/resolv.conf"}
	for _, p := range []string{empty.Hostname, empty.Hosts, empty.ResolvConf} {
		if err := os.WriteFile(p, []byte("joined\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	server := serveTCP(t, gatewayOf(cfg.Subnet), "hello joined\n")
	// The spec makes a new namespace: no NetnsPath.
	c := f.create(t, &Attachment{Files: empty}, "sh", "-c",
		"grep -q joiner /etc/hosts && netprobe dial-tcp "+server.String())
	st, err := f.rt.State(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	id := "join-" + randHex(t, 4)
	att := setup(t, m, Request{ContainerID: id, Name: "joiner", FilesDir: files, NetnsPath: "/proc/" + strconv.Itoa(st.Pid) + "/ns/net"})
	c.startCreated(t)
	if out := c.out.all(t); out != "hello joined" {
		t.Fatalf("the joined container said %q", out)
	}
	if err := m.Teardown(context.Background(), att.ContainerID); err != nil {
		t.Fatal(err)
	}
}
