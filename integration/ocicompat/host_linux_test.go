package ocicompat

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
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

// assertNoCgroup fails when a cgroup directory rel (relative to each
// hierarchy's root) exists in any hierarchy.
func assertNoCgroup(t testing.TB, rel string) {
	t.Helper()
	for _, p := range host.Cgroups(rel) {
		t.Errorf("cgroup %s is left behind", p)
	}
}
