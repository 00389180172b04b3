package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// snapshot is what a Manager has made, as seen from outside (the
// kernel, the state directory) and inside (its bookkeeping).
type snapshot struct {
	links     string // ip -o link names, sorted
	netns     string // ip netns
	table     string // nft list table ip <ours>
	mounts    string // mounts under the state directory
	nsFiles   string // entries of StateDir/netns
	records   string // entries of StateDir/endpoints
	endpoints int
	ports     int
	addresses int
}

// takeSnapshot waits for the veth deletions in flight, then looks.
func takeSnapshot(t testing.TB, m *Manager) snapshot {
	t.Helper()
	m.reaping.Wait()
	cmd := func(args ...string) string {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		return string(out)
	}
	// Only this manager's links count: its bridges and the interfaces
	// enslaved to them. Other test packages running at the same time
	// create and delete links of their own.
	ours := func(name string) bool {
		return name == m.cfg.BridgeName || strings.HasPrefix(name, m.cfg.BridgePrefix)
	}
	var links []string
	for _, l := range strings.Split(strings.TrimSpace(cmd("ip", "-o", "link")), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		name := strings.TrimSuffix(f[1], ":")
		master := ""
		for i := 2; i+1 < len(f); i++ {
			if f[i] == "master" {
				master = f[i+1]
			}
		}
		if ours(strings.SplitN(name, "@", 2)[0]) || (master != "" && ours(master)) {
			links = append(links, name)
		}
	}
	slices.Sort(links)
	dir := func(p string) string {
		ents, err := os.ReadDir(p)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return strings.Join(names, " ")
	}
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for _, l := range strings.Split(string(mountinfo), "\n") {
		if strings.Contains(l, m.cfg.StateDir) {
			mounts = append(mounts, l)
		}
	}
	// The DNAT to a responder names a port that changes with every start
	// of a Manager.
	dnsPorts := regexp.MustCompile(`(dport 53 dnat to [0-9.]+):[0-9]+`)
	s := snapshot{
		links: strings.Join(links, " "),
		// The manager's namespaces are bind mounts under its StateDir
		// (nsFiles, mounts), never names in `ip netns`, which other test
		// packages running at the same time use for their peers.
		netns:   "",
		table:   dnsPorts.ReplaceAllString(cmd("nft", "list", "table", "ip", m.cfg.NFTable), "${1}:PORT"),
		mounts:  strings.Join(mounts, "\n"),
		nsFiles: dir(filepath.Join(m.cfg.StateDir, netnsDir)),
		records: dir(filepath.Join(m.cfg.StateDir, endpointsDir)),
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s.endpoints = len(m.endpoints)
	for _, uses := range m.ports {
		s.ports += len(uses)
	}
	for _, n := range m.networks {
		s.addresses += len(n.ipam.used)
	}
	return s
}

// sameSnapshot fails the test where got differs from want.
func sameSnapshot(t testing.TB, what string, got, want snapshot) {
	t.Helper()
	if got != want {
		t.Errorf("%s: state differs from the baseline:\n got  %+v\n want %+v", what, got, want)
	}
}
