package ocicompat

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// mountTable is the host's mount table as a multiset of lines naming
// each mount by mount point, file system type, root and source.
type mountTable map[string]int

func readMounts(t testing.TB) mountTable {
	t.Helper()
	mounts, err := mountinfo.GetMounts(nil)
	if err != nil {
		t.Fatalf("reading /proc/self/mountinfo: %v", err)
	}
	table := mountTable{}
	for _, m := range mounts {
		table[fmt.Sprintf("%s %s %s %s", m.Mountpoint, m.FSType, m.Root, m.Source)]++
	}
	return table
}

// assertNoNewMounts fails when the host has a mount that baseline had
// not at or below one of the watched directories (the test's rootfs and
// daemon directories), other than those at or below an excluded one (a
// daemon's own). Mounts elsewhere are not ours to judge: other packages'
// tests run at the same time.
func assertNoNewMounts(t testing.TB, baseline mountTable, watched, excluded []string) {
	t.Helper()
	var leaked []string
	for m, n := range readMounts(t) {
		if n <= baseline[m] {
			continue
		}
		point, _, _ := strings.Cut(m, " ")
		within := func(dir string) bool { return under(point, dir) }
		if slices.ContainsFunc(watched, within) && !slices.ContainsFunc(excluded, within) {
			leaked = append(leaked, m)
		}
	}
	if len(leaked) > 0 {
		slices.Sort(leaked)
		t.Errorf("mounts left on the host:\n%s", strings.Join(leaked, "\n"))
	}
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(t testing.TB, dir string) {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		t.Errorf("reading /proc/self/mountinfo: %v", err)
		return
	}
	slices.SortFunc(mounts, func(a, b *mountinfo.Info) int { return len(b.Mountpoint) - len(a.Mountpoint) })
	for _, m := range mounts {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			t.Errorf("unmounting %s: %v", m.Mountpoint, err)
		}
	}
}

// cgroupRoots returns the directories of the host's cgroup hierarchies:
// /sys/fs/cgroup itself on a cgroup v2 host, else each hierarchy mounted
// below it (co-mounted ones once: their symlinks are skipped).
func cgroupRoots(t testing.TB) []string {
	t.Helper()
	const base = "/sys/fs/cgroup"
	if _, err := os.Stat(filepath.Join(base, "cgroup.controllers")); err == nil {
		return []string{base}
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatalf("listing %s: %v", base, err)
	}
	var roots []string
	for _, e := range entries {
		if e.IsDir() {
			roots = append(roots, filepath.Join(base, e.Name()))
		}
	}
	return roots
}

// assertNoCgroup fails when a cgroup directory rel (relative to each
// hierarchy's root) exists in any hierarchy.
func assertNoCgroup(t testing.TB, rel string) {
	t.Helper()
	for _, root := range cgroupRoots(t) {
		p := filepath.Join(root, rel)
		if _, err := os.Stat(p); err == nil {
			t.Errorf("cgroup %s is left behind", p)
		}
	}
}

// removeCgroupParent removes the cgroup directory rel, the parent the
// test gave its containers, from every hierarchy. A child left in it is
// reported (and also removed when empty of processes).
func removeCgroupParent(t testing.TB, rel string) {
	t.Helper()
	for _, root := range cgroupRoots(t) {
		p := filepath.Join(root, rel)
		entries, err := os.ReadDir(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				t.Errorf("cgroup %s is left behind", filepath.Join(p, e.Name()))
				_ = unix.Rmdir(filepath.Join(p, e.Name()))
			}
		}
		if err := unix.Rmdir(p); err != nil && !errors.Is(err, unix.ENOENT) {
			t.Errorf("removing cgroup %s: %v", p, err)
		}
	}
}

// firewall is the part of the host's packet filter configuration that
// dockerd would change, by the tool that printed it.
type firewall map[string]string

// readFirewall dumps the xtables (iptables-save, ip6tables-save: the
// tables dockerd's iptables calls write) and, from `nft list ruleset`,
// the tables named like xtables' and any table that mentions docker.
// Other nftables tables are left out: other packages' tests may add
// their own while this one runs. Comment lines of iptables-save carry the
// time and are dropped.
func readFirewall(t testing.TB) firewall {
	t.Helper()
	fw := firewall{}
	tools := [][]string{{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool[0]); err != nil {
			continue
		}
		r := run(t, tool[0], tool[1:]...)
		if r.code != 0 {
			t.Fatalf("%v", r)
		}
		out := r.stdout
		if tool[0] == "nft" {
			out = xtablesLike(out)
		}
		var kept []string
		for line := range strings.SplitSeq(out, "\n") {
			if !strings.HasPrefix(line, "#") {
				kept = append(kept, line)
			}
		}
		fw[tool[0]] = strings.Join(kept, "\n")
	}
	return fw
}

// xtablesLike keeps the tables of an nft ruleset that iptables would
// make (filter, nat, mangle, raw, security) or that mention docker.
func xtablesLike(ruleset string) string {
	var kept []string
	for _, block := range strings.SplitAfter(ruleset, "\n}\n") {
		fields := strings.Fields(block)
		if len(fields) < 3 || fields[0] != "table" {
			continue
		}
		switch {
		case slices.Contains([]string{"filter", "nat", "mangle", "raw", "security"}, fields[2]),
			strings.Contains(strings.ToLower(block), "docker"):
			kept = append(kept, block)
		}
	}
	return strings.Join(kept, "")
}

// assertSameFirewall fails when the firewall differs from before.
func assertSameFirewall(t testing.TB, before firewall) {
	t.Helper()
	after := readFirewall(t)
	for tool, was := range before {
		if now := after[tool]; now != was {
			t.Errorf("%s output changed:\nbefore:\n%s\nafter:\n%s", tool, was, now)
		}
	}
}

// existed records whether each path exists, so that cleanup removes only
// what the test's daemons made (containerd's shims always use
// /run/containerd/s, ctr /run/containerd/fifo).
func existed(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		_, err := os.Lstat(p)
		m[p] = err == nil
	}
	return m
}

// removeIfNew removes, deepest first, the empty directories of before
// that did not exist then.
func removeIfNew(t testing.TB, before map[string]bool) {
	t.Helper()
	paths := make([]string, 0, len(before))
	for p := range before {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	for _, p := range paths {
		if before[p] {
			continue
		}
		if err := unix.Rmdir(p); err != nil && !errors.Is(err, unix.ENOENT) {
			t.Logf("leaving %s: %v", p, err)
		}
	}
}
