package kubernetes

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// cniBinDir is where Debian's containernetworking-plugins installs the
// plugins.
const cniBinDir = "/usr/lib/cni"

// cniCacheDir is libcni's result cache; containerd 1.6 does not let its
// place be configured.
const cniCacheDir = "/var/lib/cni"

// cniNetwork is the pods' network: a bridge on a private /24 that no
// interface or route of the host uses, host-local addresses, no IP
// masquerade and no port mapping, so that no firewall rule is made.
type cniNetwork struct {
	name    string
	bridge  string
	subnet  *net.IPNet
	confDir string
}

// newCNINetwork writes the network's conflist under dir and registers the
// removal of what the plugins leave on the host: the bridge and libcni's
// cached results. It fails the test if the firewall changed.
func newCNINetwork(t *testing.T, dir string) *cniNetwork {
	t.Helper()
	for _, plugin := range []string{"bridge", "host-local", "loopback"} {
		if _, err := os.Stat(filepath.Join(cniBinDir, plugin)); err != nil {
			testutil.Missing(t, "needs the CNI %s plugin (apt-get install containernetworking-plugins): %v", plugin, err)
		}
	}
	n := &cniNetwork{
		name:    fmt.Sprintf("crt-k8s-%d", os.Getpid()),
		bridge:  fmt.Sprintf("crtk8s%d", os.Getpid()%1000000),
		subnet:  freeSubnet(t),
		confDir: filepath.Join(dir, "net.d"),
	}
	conflist := fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": %q,
  "plugins": [{
    "type": "bridge",
    "bridge": %q,
    "isGateway": true,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {"type": "host-local", "ranges": [[{"subnet": %q}]], "dataDir": %q}
  }]
}
`, n.name, n.bridge, n.subnet.String(), filepath.Join(dir, "cni-ipam"))
	if err := os.MkdirAll(n.confDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(n.confDir, "10-crt-k8s.conflist"), []byte(conflist), 0o644); err != nil {
		t.Fatal(err)
	}

	firewall, err := host.ReadFirewall()
	if err != nil {
		t.Fatal(err)
	}
	cache := host.Existed(cniCacheDir, filepath.Join(cniCacheDir, "results"))
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "link", "del", n.bridge).CombinedOutput(); err != nil &&
			!strings.Contains(string(out), "Cannot find device") {
			t.Errorf("removing the bridge %s: %v\n%s", n.bridge, err, out)
		}
		results, _ := filepath.Glob(filepath.Join(cniCacheDir, "results", n.name+"-*"))
		for _, r := range results {
			t.Errorf("libcni's cache still holds %s: a pod's network was not torn down", r)
			os.Remove(r)
		}
		host.RemoveNew(cache)
		now, err := host.ReadFirewall()
		if err != nil {
			t.Error(err)
		} else if d := firewall.Diff(now); d != "" {
			t.Errorf("the firewall changed:\n%s", d)
		}
	})
	return n
}

// freeSubnet picks a /24 in 10.213.0.0/16, from this process's PID, that
// no address or route of the host overlaps.
func freeSubnet(t testing.TB) *net.IPNet {
	t.Helper()
	out, err := exec.Command("ip", "-4", "-o", "route", "show", "table", "all").Output()
	if err != nil {
		t.Fatalf("ip route: %v", err)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 256 {
		third := (os.Getpid() + i) % 256
		_, subnet, _ := net.ParseCIDR(fmt.Sprintf("10.213.%d.0/24", third))
		if !strings.Contains(string(out), fmt.Sprintf("10.213.%d.", third)) && !overlaps(subnet, addrs) {
			return subnet
		}
	}
	t.Fatalf("no free /24 in 10.213.0.0/16")
	return nil
}

// overlaps reports whether any of addrs lies in subnet or holds it.
func overlaps(subnet *net.IPNet, addrs []net.Addr) bool {
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && (subnet.Contains(ipn.IP) || ipn.Contains(subnet.IP)) {
			return true
		}
	}
	return false
}
