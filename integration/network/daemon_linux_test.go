package network

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	"github.com/container-runtime/container-runtime/network"
)

// The networks that the tests create come from this pool, with bridges
// named with this prefix, so that an installed daemon's and the other
// test packages' are left alone (the default network is the harness's
// own: daemon.Network).
var testPool = netip.MustParsePrefix("10.194.0.0/16")

const bridgePrefix = "crtnt-"

// testDaemon is the daemon under test (internal/testutil/daemon) with the
// network manager configuration it runs with.
type testDaemon struct {
	*daemon.Daemon
	net network.Config
}

// startDaemon starts a daemon for t. Besides what daemon.New removes at
// the end of the test, the networks the test created go, through the
// API while the daemon runs, and any bridge of ours that is still there
// after the daemon stopped.
func startDaemon(t testing.TB) *testDaemon {
	t.Helper()
	t.Cleanup(func() { removeBridges(t) }) // after daemon.New's cleanup
	d := daemon.New(t, "--address-pools", testPool.String(), "--bridge-prefix", bridgePrefix)
	// A container in a user namespace (--userns private) must reach its
	// root through the directories above it.
	if err := os.Chmod(d.Dir, 0o711); err != nil {
		t.Fatal(err)
	}
	td := &testDaemon{Daemon: d, net: network.Config{
		StateDir:     filepath.Join(d.Root, "network"),
		BridgeName:   d.Net.Bridge,
		Subnet:       netip.MustParsePrefix(d.Net.Subnet),
		NFTable:      d.Net.Table,
		AddressPools: []netip.Prefix{testPool},
		BridgePrefix: bridgePrefix,
	}}
	t.Cleanup(func() { td.removeNetworks(t) }) // before daemon.New's cleanup
	return td
}

// removeNetworks removes every network but the three built in (the
// containers on them were removed first, by daemon.New's cleanup or by
// ours here).
func (d *testDaemon) removeNetworks(t testing.TB) {
	if !d.Running() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), daemon.CmdTimeout)
	defer cancel()
	list, err := d.Client.ContainerList(ctx, true)
	if err != nil {
		t.Errorf("listing containers: %v", err)
	}
	for _, c := range list {
		if err := d.Client.ContainerRemove(ctx, c.ID, true); err != nil {
			t.Errorf("removing container %s: %v", c.Name, err)
		}
	}
	nets, err := d.Client.NetworkList(ctx)
	if err != nil {
		t.Errorf("listing networks: %v", err)
	}
	for _, n := range nets {
		if n.Name != network.Bridge && n.Name != network.Host && n.Name != network.None {
			if err := d.Client.NetworkRemove(ctx, n.Name); err != nil {
				t.Errorf("removing network %s: %v", n.Name, err)
			}
		}
	}
}

// removeBridges deletes the bridges named with bridgePrefix that are
// still there (a daemon killed before it removed its networks), and
// fails the test for each.
func removeBridges(t testing.TB) {
	entries, _ := os.ReadDir("/sys/class/net")
	for _, e := range entries {
		name := e.Name()
		if _, err := os.Stat(filepath.Join("/sys/class/net", name, "bridge")); err != nil || !strings.HasPrefix(name, bridgePrefix) {
			continue
		}
		t.Errorf("bridge %s left behind; deleting it", name)
		if out, err := exec.Command("ip", "link", "del", name).CombinedOutput(); err != nil {
			t.Errorf("deleting bridge %s: %v: %s", name, err, out)
		}
	}
}

// subnetPrefix is how the addresses of the default network begin as text
// ("10.197.12." for 10.197.12.0/24).
func (d *testDaemon) subnetPrefix() string {
	return strings.TrimSuffix(d.net.Subnet.Addr().String(), "0")
}
