package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// cpuGroup is a cgroup that accounts the CPU time of a daemon and of the
// containers it makes: the daemon runs in <name>/daemon and its containers
// get <name>/containers as cgroup parent, so that the usage of <name>
// covers both. (On cgroup v2 the daemon may not sit in <name> itself: a
// cgroup with processes cannot give controllers to its children.)
type cpuGroup struct {
	// name is the path relative to each hierarchy's root.
	name string
	// dir is <name> in the hierarchy that accounts CPU time.
	dir string
	v2  bool
}

// newCPUGroup creates name and name/daemon in the CPU accounting
// hierarchy: cpuacct on cgroup v1 (or hybrid), the unified one on v2.
func newCPUGroup(name string) (*cpuGroup, error) {
	g, err := findCPUGroup(name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(g.dir, "daemon"), 0o755); err != nil {
		return nil, fmt.Errorf("creating cgroup %s: %w", g.dir, err)
	}
	return g, nil
}

// findCPUGroup locates name in the CPU accounting hierarchy without
// creating it.
func findCPUGroup(name string) (*cpuGroup, error) {
	g := &cpuGroup{name: name}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		g.v2, g.dir = true, filepath.Join("/sys/fs/cgroup", name)
		return g, nil
	}
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (bool, bool) {
		return m.FSType != "cgroup" || !slices.Contains(strings.Split(m.VFSOptions, ","), "cpuacct"), false
	})
	if err != nil {
		return nil, err
	}
	if len(mounts) == 0 {
		return nil, fmt.Errorf("no cpuacct cgroup hierarchy mounted")
	}
	g.dir = filepath.Join(mounts[0].Mountpoint, name)
	return g, nil
}

// daemonProcs is the cgroup.procs file the daemon writes its PID to.
func (g *cpuGroup) daemonProcs() string { return filepath.Join(g.dir, "daemon", "cgroup.procs") }

// containerParent is the --cgroup-parent for the daemon's containers.
func (g *cpuGroup) containerParent() string { return "/" + g.name + "/containers" }

// usage is the CPU time used so far by the processes of the group and of
// all its descendants, those that ended included.
func (g *cpuGroup) usage() (time.Duration, error) {
	if !g.v2 {
		b, err := os.ReadFile(filepath.Join(g.dir, "cpuacct.usage"))
		if err != nil {
			return 0, err
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return time.Duration(ns), err
	}
	b, err := os.ReadFile(filepath.Join(g.dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "usage_usec "); ok {
			us, err := strconv.ParseInt(v, 10, 64)
			return time.Duration(us) * time.Microsecond, err
		}
	}
	return 0, fmt.Errorf("no usage_usec in %s/cpu.stat", g.dir)
}

// remove removes the group and every cgroup below it in every hierarchy
// (the daemon's container runtime made <name>/containers/<id> in each),
// deepest first. It fails for a cgroup that still has processes.
func (g *cpuGroup) remove() error { return host.RemoveCgroupTree(g.name) }
