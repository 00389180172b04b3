package runtime

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsOrder is the order in which namespaces are joined: the user namespace
// first (joining it grants the capabilities the others need) and the mount
// namespace last (the C stage opens every path before entering any).
var nsOrder = []specs.LinuxNamespaceType{
	specs.UserNamespace, specs.IPCNamespace, specs.UTSNamespace,
	specs.NetworkNamespace, specs.PIDNamespace, specs.CgroupNamespace,
	specs.TimeNamespace, specs.MountNamespace,
}

// nsProcName is the name of each namespace under /proc/PID/ns.
var nsProcName = map[specs.LinuxNamespaceType]string{
	specs.UserNamespace: "user", specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts",
	specs.NetworkNamespace: "net", specs.PIDNamespace: "pid", specs.CgroupNamespace: "cgroup",
	specs.TimeNamespace: "time", specs.MountNamespace: "mnt",
}

var nsCloneFlag = map[specs.LinuxNamespaceType]int{
	specs.UserNamespace: unix.CLONE_NEWUSER, specs.IPCNamespace: unix.CLONE_NEWIPC,
	specs.UTSNamespace: unix.CLONE_NEWUTS, specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.PIDNamespace: unix.CLONE_NEWPID, specs.CgroupNamespace: unix.CLONE_NEWCGROUP,
	specs.TimeNamespace: unix.CLONE_NEWTIME, specs.MountNamespace: unix.CLONE_NEWNS,
}

// nsPlan splits the spec's namespaces into those to create (clone flags)
// and those to join (ordered "kind:path" lines for the C stage).
type nsPlan struct {
	clone int
	join  []string
}

func planNamespaces(nss []specs.LinuxNamespace) (nsPlan, error) {
	var p nsPlan
	byType := map[specs.LinuxNamespaceType]specs.LinuxNamespace{}
	for i, ns := range nss {
		if _, ok := nsCloneFlag[ns.Type]; !ok {
			return p, fmt.Errorf("linux.namespaces[%d].type %q is unknown", i, ns.Type)
		}
		if _, dup := byType[ns.Type]; dup {
			return p, fmt.Errorf("linux.namespaces[%d]: %s namespace listed twice", i, ns.Type)
		}
		byType[ns.Type] = ns
	}
	for _, t := range nsOrder {
		ns, ok := byType[t]
		if !ok {
			continue
		}
		if ns.Path == "" {
			p.clone |= nsCloneFlag[t]
			continue
		}
		p.join = append(p.join, string(t)+":"+ns.Path)
	}
	return p, nil
}

// hasNamespace reports whether the spec gives the container its own
// namespace of type t (new or joined).
func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// execJoins lists the namespaces of the running process pid that an exec'd
// process must enter: those in which the container differs from us.
func execJoins(pid int, spec *specs.Spec) []string {
	var join []string
	for _, t := range nsOrder {
		if !hasNamespace(spec, t) {
			continue
		}
		path := "/proc/" + strconv.Itoa(pid) + "/ns/" + nsProcName[t]
		if sameNamespace(path, "/proc/self/ns/"+nsProcName[t]) {
			// setns to our own user namespace fails with EINVAL.
			continue
		}
		join = append(join, string(t)+":"+path)
	}
	return join
}

func sameNamespace(a, b string) bool {
	var sa, sb unix.Stat_t
	if unix.Stat(a, &sa) != nil || unix.Stat(b, &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// writeIDMaps writes uid_map and gid_map of pid, which has just made a new
// user namespace.
func writeIDMaps(pid int, uids, gids []specs.LinuxIDMapping) error {
	format := func(ms []specs.LinuxIDMapping) []byte {
		var b strings.Builder
		for _, m := range ms {
			fmt.Fprintf(&b, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
		}
		return []byte(b.String())
	}
	base := "/proc/" + strconv.Itoa(pid) + "/"
	if err := os.WriteFile(base+"uid_map", format(uids), 0); err != nil {
		return fmt.Errorf("writing uid_map of %d: %w", pid, err)
	}
	if err := os.WriteFile(base+"gid_map", format(gids), 0); err != nil {
		return fmt.Errorf("writing gid_map of %d: %w", pid, err)
	}
	return nil
}
