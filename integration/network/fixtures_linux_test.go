package network

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// image imports the test image "netbox": busybox-static's root file
// system with /bin/netpeer. It has no PATH: commands are given by path.
func (d *testDaemon) image(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	rootfs := filepath.Join(d.Dir, "rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatalf("making the busybox rootfs: %v", err)
	}
	peer, err := os.ReadFile(netpeer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "netpeer"), peer, 0o755); err != nil {
		t.Fatal(err)
	}
	tarball := filepath.Join(d.Dir, "netbox.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar of the rootfs: %v\n%s", err, out)
	}
	os.RemoveAll(rootfs)
	d.OK(t, "image", "import", tarball, "netbox")
	os.Remove(tarball)
	return "netbox"
}

// peerHost is a network namespace standing for another machine: a veth
// pair links it to the host, hostAddr on the host's side, peerAddr in it.
type peerHost struct {
	name               string
	hostAddr, peerAddr string
}

// newPeerHost makes a peer host for t; it goes at the end of the test.
func newPeerHost(t testing.TB) *peerHost {
	t.Helper()
	pid := strconv.Itoa(os.Getpid() % 100000)
	p := &peerHost{name: "crtnt-peer-" + pid, hostAddr: "10.192.77.1", peerAddr: "10.192.77.2"}
	link := "crtnp" + pid
	t.Cleanup(func() {
		// Deleting the namespace deletes the veth pair with it.
		exec.Command("ip", "netns", "del", p.name).Run()
		exec.Command("ip", "link", "del", link).Run()
	})
	for _, args := range [][]string{
		{"netns", "add", p.name},
		{"link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", p.name},
		{"addr", "add", p.hostAddr + "/30", "dev", link},
		{"link", "set", link, "up"},
		{"-n", p.name, "addr", "add", p.peerAddr + "/30", "dev", "eth0"},
		{"-n", p.name, "link", "set", "eth0", "up"},
		{"-n", p.name, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return p
}

// run runs netpeer in the peer host and returns its output.
func (p *peerHost) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", p.name, netpeer}, args...)...).CombinedOutput()
	return string(out), err
}

// serve runs a netpeer server in the peer host until the test ends.
func (p *peerHost) serve(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.name, netpeer}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// eventually retries f every 100 ms until it succeeds or 15 s passed, and
// returns its last result (servers in containers need a moment to listen).
func eventually(f func() (string, error)) (string, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := f()
		if err == nil || time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getTCP connects to addr and returns what the server says.
func getTCP(addr string) (string, error) {
	c, err := net.DialTimeout("tcp4", addr, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	var b bytes.Buffer
	_, err = b.ReadFrom(c)
	if err == nil && b.Len() == 0 {
		err = fmt.Errorf("%s closed without an answer", addr)
	}
	return b.String(), err
}

// askUDP sends msg to addr and returns the answer.
func askUDP(addr, msg string) (string, error) {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

// freePort returns a TCP and UDP port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if u, err := net.ListenPacket("udp4", "0.0.0.0:"+strconv.Itoa(port)); err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// netState is what a daemon has in the kernel and in its records, for
// the leak checks.
type netState struct {
	links   []string // our bridges, and the interfaces enslaved to them
	netns   []string // ip netns list, and our namespace mounts
	table   string   // nft list table of our table
	records []string // endpoint records
}

// snapshot takes d's network state.
func (d *testDaemon) snapshot(t testing.TB) netState {
	t.Helper()
	var s netState
	ifaces, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	ours := func(name string) bool { return name == d.net.BridgeName || strings.HasPrefix(name, d.net.BridgePrefix) }
	for _, e := range ifaces {
		name := e.Name()
		master, _ := os.Readlink(filepath.Join("/sys/class/net", name, "master"))
		if ours(name) || (master != "" && ours(filepath.Base(master))) {
			s.links = append(s.links, name)
		}
	}
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns list: %v\n%s", err, out)
	}
	// Only the test's own names: other test packages (the Kubernetes
	// test's CNI, for one) add and remove namespaces at the same time.
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "crtnt-") {
			s.netns = append(s.netns, f[0])
		}
	}
	for _, m := range daemon.MountsUnder(d.Dir) {
		s.netns = append(s.netns, "mount "+m)
	}
	entries, _ := os.ReadDir(filepath.Join(d.net.StateDir, "netns"))
	for _, e := range entries {
		s.netns = append(s.netns, "netns/"+e.Name())
	}
	out, err = exec.Command("nft", "list", "table", "ip", d.net.NFTable).CombinedOutput()
	if err != nil {
		t.Fatalf("nft list table: %v\n%s", err, out)
	}
	s.table = string(out)
	entries, _ = os.ReadDir(filepath.Join(d.net.StateDir, "endpoints"))
	for _, e := range entries {
		s.records = append(s.records, e.Name())
	}
	slices.Sort(s.links)
	slices.Sort(s.netns)
	return s
}

// waitBaseline waits (veths go in the background) until d's state is
// base again, and fails t with the differences if it does not get there.
func (d *testDaemon) waitBaseline(t testing.TB, base netState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		now := d.snapshot(t)
		diffs := base.diff(now)
		if len(diffs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("leaks after cleanup:\n%s", strings.Join(diffs, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// diff describes how now differs from s.
func (s netState) diff(now netState) []string {
	var out []string
	cmp := func(what string, a, b []string) {
		if !slices.Equal(a, b) {
			out = append(out, fmt.Sprintf("%s: %q, baseline %q", what, b, a))
		}
	}
	cmp("links", s.links, now.links)
	cmp("network namespaces", s.netns, now.netns)
	cmp("endpoint records", s.records, now.records)
	if s.table != now.table {
		out = append(out, fmt.Sprintf("nftables table:\n%s\nbaseline:\n%s", now.table, s.table))
	}
	return out
}
