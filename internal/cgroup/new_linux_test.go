package cgroup

import (
	"errors"
	"maps"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name, path string
		r          *specs.LinuxResources
		want       string
	}{
		{"bad resources", "", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-5)}},
			"linux.resources.memory.limit: -5 is negative"},
		{"root cgroup", "/", nil, "names the root cgroup"},
		{"bad slice", "nope:p:n", nil, "invalid slice name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("c1", tt.path, tt.r)
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v; want ErrInvalidArgument containing %q", err, tt.want)
			}
		})
	}
}

// A limit the kernel refuses fails Apply before the process joins, and
// leaves no cgroup behind.
func TestApplyRollsBack(t *testing.T) {
	requireRoot(t)
	if Mode() == Unified {
		testutil.Missing(t, "uses the v1 cpuset controller")
	}
	cpu := strconv.Itoa(runtime.NumCPU() + 5) // valid syntax, no such CPU
	m := newManager(t, testID(t), withDefaultDevices(&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: cpu}}))
	c := startChild(t, "exec sleep 30")
	err := m.Apply(c.pid())
	if !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("Apply with cpuset %s = %v; want the kernel's EINVAL as ErrInvalidArgument", cpu, err)
	}
	for key, p := range m.Paths() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("cgroup %q dir %s left after a failed Apply (stat: %v)", key, p, err)
		}
	}
	if err := m.Apply(0); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("Apply(0) = %v; want ErrInvalidArgument", err)
	}
}

// TestNewCachedMountsSamePaths: after the first New, the mount points
// come from v1Mounts, and the paths of a cgroup are what the library
// finds by itself in /proc/self/mountinfo.
func TestNewCachedMountsSamePaths(t *testing.T) {
	if Mode() == Unified {
		testutil.Missing(t, "no v1 hierarchies on this host")
	}
	if _, err := New("crt-cache-first", "", nil); err != nil {
		t.Fatal(err)
	}
	if v1Mounts.get() == nil {
		t.Fatal("New did not learn the mount points")
	}
	m, err := New("crt-cache-second", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cg := &cgroups.Cgroup{Path: defaultParent + "/crt-cache-second", Resources: &cgroups.Resources{}}
	lib, err := fs.NewManager(cg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*manager).lib.GetPaths()
	if want := lib.GetPaths(); !maps.Equal(got, want) {
		t.Errorf("paths from the cached mounts:\n%v\nwant the library's:\n%v", got, want)
	}
}

// TestMountCacheRefusesOddPaths: a path that is not mount point + the
// cgroup's path teaches nothing.
func TestMountCacheRefusesOddPaths(t *testing.T) {
	var c mountCache
	c.learn(map[string]string{"cpu": "/sys/fs/cgroup/cpu/a/b", "pids": "/elsewhere"}, "/a/b")
	if c.get() != nil {
		t.Errorf("learned %v from a path without the cgroup's", c.get())
	}
	c.learn(map[string]string{"cpu": "/sys/fs/cgroup/cpu/a/b"}, "/a/b")
	if got := c.get(); got["cpu"] != "/sys/fs/cgroup/cpu" {
		t.Errorf("learned %v, want cpu at /sys/fs/cgroup/cpu", got)
	}
}
