package rootfs

import (
	"reflect"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// Mount tables of the three kinds of host, as /proc/self/mountinfo shows
// them.
const (
	// This machine: v1 controllers with cpu and cpuacct apart, and a
	// cgroup2 hierarchy at unified.
	hybridMountinfo = `22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
	// A systemd v1 host: cpu and cpuacct co-mounted, a release agent, and
	// the memory hierarchy bound a second time elsewhere.
	v1Mountinfo = `30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
32 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
33 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
90 26 0:30 /docker /var/lib/other/memory rw,relatime - cgroup cgroup rw,memory
`
	// A pure v2 host.
	v2Mountinfo = `30 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`
)

func parseMountinfo(tb testing.TB, s string) []*mountinfo.Info {
	tb.Helper()
	mounts, err := mountinfo.GetMountsFromReader(strings.NewReader(s), mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		tb.Fatalf("parsing mountinfo: %v", err)
	}
	return mounts
}

func TestCgroupLayout(t *testing.T) {
	tests := []struct {
		name      string
		mountinfo string
		want      cgroupLayout
		links     [][2]string
	}{
		{
			name:      "hybrid",
			mountinfo: hybridMountinfo,
			want: cgroupLayout{hierarchies: []cgroupHierarchy{
				{fstype: "cgroup", name: "cpu", controllers: []string{"cpu"}, hostPath: "/sys/fs/cgroup/cpu", hostRoot: "/"},
				{fstype: "cgroup", name: "cpuacct", controllers: []string{"cpuacct"}, hostPath: "/sys/fs/cgroup/cpuacct", hostRoot: "/"},
				{fstype: "cgroup", name: "memory", controllers: []string{"memory"}, hostPath: "/sys/fs/cgroup/memory", hostRoot: "/"},
				{fstype: "cgroup", name: "systemd", controllers: []string{"name=systemd"}, hostPath: "/sys/fs/cgroup/systemd", hostRoot: "/"},
				{fstype: "cgroup2", name: "unified", hostPath: "/sys/fs/cgroup/unified", hostRoot: "/"},
			}},
		},
		{
			name:      "v1 co-mounted",
			mountinfo: v1Mountinfo,
			want: cgroupLayout{hierarchies: []cgroupHierarchy{
				{fstype: "cgroup", name: "systemd", controllers: []string{"name=systemd"}, hostPath: "/sys/fs/cgroup/systemd", hostRoot: "/"},
				{fstype: "cgroup", name: "cpu,cpuacct", controllers: []string{"cpu", "cpuacct"}, hostPath: "/sys/fs/cgroup/cpu,cpuacct", hostRoot: "/"},
				{fstype: "cgroup", name: "memory", controllers: []string{"memory"}, hostPath: "/sys/fs/cgroup/memory", hostRoot: "/"},
			}},
			links: [][2]string{{"cpu", "cpu,cpuacct"}, {"cpuacct", "cpu,cpuacct"}},
		},
		{
			name:      "v2",
			mountinfo: v2Mountinfo,
			want: cgroupLayout{unified: true, hierarchies: []cgroupHierarchy{
				{fstype: "cgroup2", name: "cgroup", hostPath: "/sys/fs/cgroup", hostRoot: "/"},
			}},
		},
		{
			name:      "no cgroups mounted",
			mountinfo: "22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n",
			want:      cgroupLayout{unified: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cgroupLayoutOf(parseMountinfo(t, tt.mountinfo))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("layout =\n%+v\nwant\n%+v", got, tt.want)
			}
			if links := got.links(); !reflect.DeepEqual(links, tt.links) {
				t.Fatalf("links = %v, want %v", links, tt.links)
			}
		})
	}
}

func TestCgroupHierarchyData(t *testing.T) {
	l := cgroupLayoutOf(parseMountinfo(t, v1Mountinfo))
	var data []string
	for _, h := range l.hierarchies {
		data = append(data, h.data())
	}
	want := []string{"name=systemd", "cpu,cpuacct", "memory"}
	if !reflect.DeepEqual(data, want) {
		t.Fatalf("mount data = %q, want %q", data, want)
	}
}

func TestCgroupPathIn(t *testing.T) {
	const procSelfCgroup = `9:name=systemd:/user.slice
2:cpuacct,cpu:/a/b
4:memory:/process_api/x
0::/init.scope
`
	tests := []struct {
		name string
		h    cgroupHierarchy
		want string
	}{
		{name: "named", h: cgroupHierarchy{fstype: "cgroup", controllers: []string{"name=systemd"}}, want: "/user.slice"},
		{name: "co-mounted in another order", h: cgroupHierarchy{fstype: "cgroup", controllers: []string{"cpu", "cpuacct"}}, want: "/a/b"},
		{name: "memory", h: cgroupHierarchy{fstype: "cgroup", controllers: []string{"memory"}}, want: "/process_api/x"},
		{name: "cgroup2", h: cgroupHierarchy{fstype: "cgroup2"}, want: "/init.scope"},
		{name: "missing", h: cgroupHierarchy{fstype: "cgroup", controllers: []string{"pids"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cgroupPathIn(strings.NewReader(procSelfCgroup), tt.h)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("cgroupPathIn = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("cgroupPathIn = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCgroupDirIn(t *testing.T) {
	tests := []struct {
		name, root, cg, want string
	}{
		{name: "whole hierarchy", root: "/", cg: "/a/b", want: "/sys/fs/cgroup/memory/a/b"},
		{name: "sub-tree mounted", root: "/docker", cg: "/docker/c1", want: "/sys/fs/cgroup/memory/c1"},
		{name: "outside the sub-tree", root: "/docker", cg: "/dockerx/c1", want: "/sys/fs/cgroup/memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := cgroupHierarchy{hostPath: "/sys/fs/cgroup/memory", hostRoot: tt.root}
			if got := cgroupDirIn(h, tt.cg); got != tt.want {
				t.Fatalf("cgroupDirIn = %q, want %q", got, tt.want)
			}
		})
	}
}
