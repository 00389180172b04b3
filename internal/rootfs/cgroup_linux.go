package rootfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// cgroupHierarchy is one cgroup hierarchy the host has mounted, to be
// mounted again under a container's "cgroup" mount.
type cgroupHierarchy struct {
	// fstype is "cgroup" (v1) or "cgroup2".
	fstype string
	// name is the directory under the container's mount: the base name of
	// the host mount point ("cpu", "cpu,cpuacct", "systemd", "unified").
	name string
	// controllers name the hierarchy as /proc/self/cgroup does ("cpu",
	// "cpuacct", "name=systemd"); nil for cgroup2. Joined with commas they
	// are the mount data that selects the hierarchy.
	controllers []string
	// hostPath and hostRoot are the host mount point and the directory of
	// the hierarchy mounted there (mountinfo's root field, usually "/").
	hostPath, hostRoot string
}

// data is the mount data that selects the hierarchy.
func (h cgroupHierarchy) data() string { return strings.Join(h.controllers, ",") }

// cgroupLayout is how the host has mounted cgroups, and so how a "cgroup"
// mount is made in a container. This is the one place that decides
// between cgroup v1 (or hybrid) and v2.
type cgroupLayout struct {
	// unified is true on a pure cgroup v2 host: the container gets one
	// cgroup2 mount. Otherwise it gets a tmpfs holding one mount per
	// hierarchy.
	unified bool
	// hierarchies are the host's hierarchies, v1 ones and the cgroup2 one
	// of a hybrid host ("unified"), each once.
	hierarchies []cgroupHierarchy
}

// isCgroupV1Controller reports whether a super option of a cgroup v1 mount
// selects its hierarchy ("cpu", "name=systemd") rather than tuning it.
func isCgroupV1Controller(opt string) bool {
	switch opt {
	case "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods", "none":
		return false
	}
	return !strings.HasPrefix(opt, "release_agent=")
}

// cgroupLayoutOf reads the cgroup layout from the host's mount table.
func cgroupLayoutOf(mounts []*mountinfo.Info) cgroupLayout {
	var l cgroupLayout
	seen := map[string]bool{}
	names := map[string]bool{}
	v1 := false
	for _, m := range mounts {
		h := cgroupHierarchy{fstype: m.FSType, name: filepath.Base(m.Mountpoint), hostPath: m.Mountpoint, hostRoot: m.Root}
		switch m.FSType {
		case "cgroup":
			v1 = true
			for _, o := range strings.Split(m.VFSOptions, ",") {
				if isCgroupV1Controller(o) {
					h.controllers = append(h.controllers, o)
				}
			}
			if len(h.controllers) == 0 {
				continue
			}
		case "cgroup2":
		default:
			continue
		}
		// A hierarchy mounted twice (or bound elsewhere) is mounted once.
		key := h.fstype + ":" + h.data()
		if seen[key] || names[h.name] {
			continue
		}
		seen[key], names[h.name] = true, true
		l.hierarchies = append(l.hierarchies, h)
	}
	l.unified = !v1
	return l
}

// links returns the symlinks (name -> target) that make each controller of
// a co-mounted hierarchy reachable by its own name, as on the host
// ("cpu" -> "cpu,cpuacct").
func (l cgroupLayout) links() [][2]string {
	var links [][2]string
	names := map[string]bool{}
	for _, h := range l.hierarchies {
		names[h.name] = true
	}
	for _, h := range l.hierarchies {
		if !strings.Contains(h.name, ",") {
			continue
		}
		for _, c := range h.controllers {
			if !strings.HasPrefix(c, "name=") && !names[c] {
				names[c] = true
				links = append(links, [2]string{c, h.name})
			}
		}
	}
	return links
}

// mountCgroup makes a "cgroup" mount at dest. Inside a cgroup namespace a
// fresh cgroup filesystem shows the container's own cgroup as its root.
func (p *preparer) mountCgroup(dest string, opts mountOptions) error {
	if p.cgroups.unified || len(p.cgroups.hierarchies) == 0 {
		h := cgroupHierarchy{fstype: "cgroup2", name: "unified", hostPath: "/sys/fs/cgroup", hostRoot: "/"}
		if len(p.cgroups.hierarchies) > 0 {
			h = p.cgroups.hierarchies[0]
		}
		hostPath, err := p.mountHierarchy(dest, h, opts)
		if err != nil {
			return err
		}
		return p.finishMount(dest, hostPath, 0, mountOptions{attrSet: opts.attrSet, attrClr: opts.attrClr, propagation: opts.propagation})
	}

	// cgroup v1 or hybrid: a tmpfs holding one mount per hierarchy. It is
	// writable until they are all made.
	tmpfs := mountOptions{flags: opts.flags &^ unix.MS_RDONLY, data: "mode=755"}
	if err := p.mountFS("tmpfs", dest, "tmpfs", tmpfs); err != nil {
		return err
	}
	for _, h := range p.cgroups.hierarchies {
		if !p.cgroupNS {
			// Without a cgroup namespace a fresh mount would show the
			// host's whole hierarchy: bind the container's own cgroup
			// directory instead, as runc does, so that for instance
			// /sys/fs/cgroup/memory/memory.limit_in_bytes is the
			// container's limit (dockerd on cgroup v1 asks for no
			// cgroup namespace).
			if err := p.bindOwnCgroup(path.Join(dest, h.name), h, opts); err != nil {
				return err
			}
			continue
		}
		if _, err := p.mountHierarchy(path.Join(dest, h.name), h, opts); err != nil {
			return err
		}
	}
	if len(p.cgroups.links()) > 0 {
		dir, _, err := p.root.open(dest)
		if err != nil {
			return err
		}
		defer dir.Close()
		for _, l := range p.cgroups.links() {
			if err := unix.Symlinkat(l[1], int(dir.Fd()), l[0]); err != nil && !errors.Is(err, unix.EEXIST) {
				return fmt.Errorf("linking %s to %s in %q: %w", l[0], l[1], dest, err)
			}
		}
	}
	f, hostPath, err := p.root.open(dest)
	if err != nil {
		return err
	}
	defer f.Close()
	if opts.flags&unix.MS_RDONLY != 0 {
		if err := remountBind(procFd(f), hostPath, opts.flags&^(unix.MS_BIND|unix.MS_REC|unix.MS_REMOUNT)); err != nil {
			return err
		}
	}
	return p.finishMount(dest, hostPath, 0, mountOptions{attrSet: opts.attrSet, attrClr: opts.attrClr, propagation: opts.propagation})
}

// mountHierarchy mounts the hierarchy h at dest. When the kernel refuses
// (a user namespace without its own cgroup namespace may not mount cgroup
// filesystems), the process's own cgroup directory of the host hierarchy
// is bound instead, as runc does. It returns the host path of dest.
func (p *preparer) mountHierarchy(dest string, h cgroupHierarchy, opts mountOptions) (string, error) {
	target, hostPath, err := p.root.mkdirAll(dest)
	if err != nil {
		return "", err
	}
	flags := opts.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT)
	err = mount("mount", "cgroup", procFd(target), hostPath, h.fstype, flags, h.data())
	target.Close()
	if !errors.Is(err, unix.EPERM) {
		return hostPath, err
	}
	source, serr := ownCgroupDir(h)
	if serr != nil {
		return "", fmt.Errorf("%w (and finding the bind fallback: %w)", err, serr)
	}
	return hostPath, p.bindMount(source, dest, mountOptions{flags: flags | unix.MS_BIND | unix.MS_REC})
}

// bindOwnCgroup binds this process's cgroup directory of h (the
// container's: the process is already in its cgroup) at dest.
func (p *preparer) bindOwnCgroup(dest string, h cgroupHierarchy, opts mountOptions) error {
	source, err := ownCgroupDir(h)
	if err != nil {
		return fmt.Errorf("finding the container's cgroup in %s: %w", h.hostPath, err)
	}
	flags := opts.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT)
	return p.bindMount(source, dest, mountOptions{flags: flags | unix.MS_BIND | unix.MS_REC})
}

// ownCgroupDir returns the host directory of this process's cgroup in h.
func ownCgroupDir(h cgroupHierarchy) (string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	cg, err := cgroupPathIn(f, h)
	if err != nil {
		return "", err
	}
	return cgroupDirIn(h, cg), nil
}

// cgroupDirIn returns the host directory of cgroup cg of h.
func cgroupDirIn(h cgroupHierarchy, cg string) string {
	switch {
	case h.hostRoot == "/":
		return filepath.Join(h.hostPath, cg)
	case cg == h.hostRoot || strings.HasPrefix(cg, h.hostRoot+"/"):
		return filepath.Join(h.hostPath, strings.TrimPrefix(cg, h.hostRoot))
	}
	// The cgroup is outside the part of the hierarchy the host mounted.
	return h.hostPath
}

// cgroupPathIn finds the cgroup of h in r, a /proc/<pid>/cgroup file
// ("4:memory:/a/b", "0::/a" for cgroup2).
func cgroupPathIn(r io.Reader, h cgroupHierarchy) (string, error) {
	want := slices.Sorted(slices.Values(h.controllers))
	s := bufio.NewScanner(r)
	for s.Scan() {
		id, rest, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		ctrls, cg, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if h.fstype == "cgroup2" {
			if id == "0" && ctrls == "" {
				return cg, nil
			}
			continue
		}
		if ctrls != "" && slices.Equal(slices.Sorted(slices.Values(strings.Split(ctrls, ","))), want) {
			return cg, nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no cgroup of hierarchy %q in /proc/self/cgroup: %w", h.data(), os.ErrNotExist)
}
