package network

import (
	"strings"
	"testing"
)

// TestModes: none has only lo; host sees the host's interfaces; --dns and
// --add-host work in both; the seed's start takes bridge; a bridge
// container in a user namespace gets its address too.
func TestModes(t *testing.T) {
	d := startDaemon(t)
	img := d.image(t)
	base := d.snapshot(t)
	links := "/bin/ls /sys/class/net"

	out := d.OK(t, "run", "--rm", "--network", "none", "--add-host", "db:192.0.2.10", "--dns", "192.0.2.53", img,
		"/bin/sh", "-c", links+"; /bin/cat /etc/hosts /etc/resolv.conf")
	if f := strings.Fields(out); len(f) == 0 || f[0] != "lo" || strings.Contains(out, "eth0") {
		t.Errorf("network none:\n%s", out)
	}
	for _, want := range []string{"192.0.2.10\tdb", "nameserver 192.0.2.53"} {
		if !strings.Contains(out, want) {
			t.Errorf("network none lacks %q:\n%s", want, out)
		}
	}

	out = d.OK(t, "run", "--rm", "--network", "host", "--add-host", "db:192.0.2.10", img, "/bin/sh", "-c", links+"; /bin/cat /etc/hosts")
	if !strings.Contains(out, d.net.BridgeName) || !strings.Contains(out, "192.0.2.10\tdb") {
		t.Errorf("network host does not see the host's interfaces or lacks the extra host:\n%s", out)
	}
	if r := d.Run(t, "run", "--rm", "--network", "host", "-p", "80", img, "/bin/true"); r.Code != 0 || !strings.Contains(r.Stderr, "discarded") {
		t.Errorf("-p with network host: %v", r)
	}

	r := d.Run(t, "start", "seedbox", img, "bridge", "/bin/sh", "-c", "/bin/ip -4 -o addr show eth0")
	if r.Code != 0 || !strings.Contains(r.Stdout, "inet "+d.subnetPrefix()) {
		t.Errorf("the seed's start on bridge: %v", r)
	}

	out = d.OK(t, "run", "--rm", "--userns", "private", img, "/bin/ip", "-4", "-o", "addr", "show", "eth0")
	if !strings.Contains(out, "inet "+d.subnetPrefix()) {
		t.Errorf("a bridge container in a user namespace: %q", out)
	}

	if r := d.Run(t, "run", "--rm", "--network", "nosuch", img, "/bin/true"); r.Code != 125 || !strings.Contains(r.Stderr, `network "nosuch"`) {
		t.Errorf("an unknown network: %v", r)
	}
	d.waitBaseline(t, base)
}
