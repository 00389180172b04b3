package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Network is the default network of a test's daemon: a bridge,
// subnet and nftables table of its own, so that it neither touches an
// installed daemon's (crt0, table container-runtime) nor piles addresses
// onto one bridge shared by every test daemon. Names carry the test
// process's pid: two test runs at once do not collide either.
type Network struct {
	Bridge, Subnet, Table string
}

// NewNetwork returns the names for this test process's network; nothing
// is created until a daemon starts with its Flags.
func NewNetwork() Network {
	pid := os.Getpid()
	return Network{
		Bridge: fmt.Sprintf("crte%d", pid%100000000), // at most 12 of IFNAMSIZ's 15
		Subnet: fmt.Sprintf("10.197.%d.0/24", pid%250),
		Table:  fmt.Sprintf("crt-e2e-%d", pid),
	}
}

// Flags are the daemon's flags for this network.
func (n Network) Flags() []string {
	return []string{"--bridge-name", n.Bridge, "--bridge-subnet", n.Subnet, "--nft-table", n.Table}
}

// Ports returns the interfaces still attached to the bridge (containers'
// veth ends).
func (n Network) Ports() []string {
	entries, _ := os.ReadDir(filepath.Join("/sys/class/net", n.Bridge, "brif"))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// Remove deletes the bridge and the nftables table the daemon made (the
// daemon keeps them for its next start on purpose).
func (n Network) Remove(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "del", n.Bridge).CombinedOutput(); err != nil && !strings.Contains(string(out), "Cannot find device") {
		t.Errorf("removing bridge %s: %v: %s", n.Bridge, err, out)
	}
	if out, err := exec.Command("nft", "delete", "table", "ip", n.Table).CombinedOutput(); err != nil && !strings.Contains(string(out), "No such file") {
		t.Errorf("removing nftables table %s: %v: %s", n.Table, err, out)
	}
}
