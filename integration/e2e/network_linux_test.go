package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testNetwork is the default network of a test's daemon: a bridge,
// subnet and nftables table of its own, so that it neither touches an
// installed daemon's (crt0, table container-runtime) nor piles addresses
// onto one bridge shared by every test daemon. Names carry the test
// process's pid: two test runs at once do not collide either.
type testNetwork struct {
	bridge, subnet, table string
}

func newTestNetwork() testNetwork {
	pid := os.Getpid()
	return testNetwork{
		bridge: fmt.Sprintf("crte%d", pid%100000000), // at most 12 of IFNAMSIZ's 15
		subnet: fmt.Sprintf("10.197.%d.0/24", pid%250),
		table:  fmt.Sprintf("crt-e2e-%d", pid),
	}
}

// flags are the daemon's flags for this network.
func (n testNetwork) flags() []string {
	return []string{"--bridge-name", n.bridge, "--bridge-subnet", n.subnet, "--nft-table", n.table}
}

// ports returns the interfaces still attached to the bridge (containers'
// veth ends).
func (n testNetwork) ports() []string {
	entries, _ := os.ReadDir(filepath.Join("/sys/class/net", n.bridge, "brif"))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// remove deletes the bridge and the nftables table the daemon made (the
// daemon keeps them for its next start on purpose).
func (n testNetwork) remove(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "del", n.bridge).CombinedOutput(); err != nil && !strings.Contains(string(out), "Cannot find device") {
		t.Errorf("removing bridge %s: %v: %s", n.bridge, err, out)
	}
	if out, err := exec.Command("nft", "delete", "table", "ip", n.table).CombinedOutput(); err != nil && !strings.Contains(string(out), "No such file") {
		t.Errorf("removing nftables table %s: %v: %s", n.table, err, out)
	}
}
