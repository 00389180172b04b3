package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// cgroupTree is this run's cgroup, named cgroupName(pid), with one child
// per engine that accounts the CPU time of the engine's processes
// (ours: the daemon and its monitors; docker: dockerd, containerd and the
// shims; podman: podman and conmon; the OCI runtimes), and one per engine
// that holds its containers' cgroups, so that the containers' own CPU time
// is left out of every engine's alike (ours cannot be told where to put
// its containers: they go to /container-runtime/<id>, outside).
//
// On cgroup v2 processes sit in leaves only: the tree's root holds none.
type cgroupTree struct {
	// name is the path relative to each hierarchy's root.
	name string
	// dir is name in the hierarchy that accounts CPU time: cpuacct on
	// cgroup v1 (or hybrid), the unified hierarchy on v2.
	dir string
	v2  bool
	// home is the cgroup this process started in, in that hierarchy,
	// to which it returns after starting a child in a group.
	home string
}

// newCgroupTree locates the run's tree in the CPU accounting hierarchy;
// groups are created by group.
func newCgroupTree(name string) (*cgroupTree, error) {
	t, err := findCgroupTree(name)
	if err != nil {
		return nil, err
	}
	rel, err := ownCgroup(t.v2)
	if err != nil {
		return nil, err
	}
	t.home = filepath.Join(filepath.Dir(t.dir), rel)
	return t, nil
}

// findCgroupTree locates name in the CPU accounting hierarchy without
// creating anything.
func findCgroupTree(name string) (*cgroupTree, error) {
	t := &cgroupTree{name: name}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		t.v2, t.dir = true, filepath.Join("/sys/fs/cgroup", name)
		return t, nil
	}
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (bool, bool) {
		return m.FSType != "cgroup" || !slices.Contains(strings.Split(m.VFSOptions, ","), "cpuacct"), false
	})
	if err != nil {
		return nil, fmt.Errorf("finding the cpuacct hierarchy: %w", err)
	}
	if len(mounts) == 0 {
		return nil, errors.New("no cpuacct cgroup hierarchy mounted")
	}
	t.dir = filepath.Join(mounts[0].Mountpoint, name)
	return t, nil
}

// ownCgroup is this process's cgroup in the CPU accounting hierarchy,
// from /proc/self/cgroup.
func ownCgroup(v2 bool) (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	return parseOwnCgroup(string(b), v2)
}

// parseOwnCgroup picks the cpuacct line (v1) or the unified line (v2) of
// a /proc/PID/cgroup file: "ID:CONTROLLERS:PATH".
func parseOwnCgroup(s string, v2 bool) (string, error) {
	for line := range strings.SplitSeq(s, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if v2 && f[0] == "0" && f[1] == "" {
			return f[2], nil
		}
		if !v2 && slices.Contains(strings.Split(f[1], ","), "cpuacct") {
			return f[2], nil
		}
	}
	return "", fmt.Errorf("no %s line in /proc/self/cgroup", map[bool]string{true: "unified", false: "cpuacct"}[v2])
}

// group is a child cgroup of the tree that accounts CPU time.
type group struct {
	t *cgroupTree
	// rel is its path below the tree ("ours", "podman-containers/conmon").
	rel string
}

// group creates the child rel of the tree in the accounting hierarchy.
func (t *cgroupTree) group(rel string) (group, error) {
	if err := os.MkdirAll(filepath.Join(t.dir, rel), 0o755); err != nil {
		return group{}, fmt.Errorf("creating cgroup %s: %w", filepath.Join(t.dir, rel), err)
	}
	return group{t: t, rel: rel}, nil
}

// path is the group's path from the hierarchy's root, as a cgroup parent
// or cgroupsPath names it.
func (t *cgroupTree) path(rel string) string { return path.Join("/", t.name, rel) }

// procs is the group's cgroup.procs file.
func (g group) procs() string { return filepath.Join(g.t.dir, g.rel, "cgroup.procs") }

// usage is the CPU time used so far by the group's processes and its
// descendants', those that ended included; 0 when g is the zero group
// or the group is gone.
func (g group) usage() time.Duration {
	if g.t == nil {
		return 0
	}
	d, err := readUsage(filepath.Join(g.t.dir, g.rel), g.t.v2)
	if err != nil {
		return 0
	}
	return d
}

// readUsage reads a cgroup's cumulative CPU time.
func readUsage(dir string, v2 bool) (time.Duration, error) {
	if !v2 {
		b, err := os.ReadFile(filepath.Join(dir, "cpuacct.usage"))
		if err != nil {
			return 0, err
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return time.Duration(ns), err
	}
	b, err := os.ReadFile(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "usage_usec "); ok {
			us, err := strconv.ParseInt(v, 10, 64)
			return time.Duration(us) * time.Microsecond, err
		}
	}
	return 0, fmt.Errorf("no usage_usec in %s/cpu.stat", dir)
}

// enter moves this process (all its threads) into g, so that the children
// it starts are born there; leave moves it back. Between the two this
// process only waits. The moves are made outside the timed span: a
// migration can take milliseconds.
func (g group) enter() error {
	return writeProcs(g.procs(), os.Getpid())
}

// leave moves this process back to the cgroup it started in.
func (t *cgroupTree) leave() error {
	return writeProcs(filepath.Join(t.home, "cgroup.procs"), os.Getpid())
}

func writeProcs(file string, pid int) error {
	if err := os.WriteFile(file, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("moving pid %d to %s: %w", pid, filepath.Dir(file), err)
	}
	return nil
}

// remove removes the tree and every cgroup below it in every hierarchy
// (the runtimes made the containers' cgroups in each), deepest first. It
// fails for a cgroup that still has processes.
func (t *cgroupTree) remove() error { return host.RemoveCgroupTree(t.name) }
