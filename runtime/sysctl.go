package runtime

import (
	"os"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validateSysctls accepts, as runc does, only kernel parameters of a
// namespace the container has of its own: net.* with a network
// namespace, the IPC parameters (kernel.msg*, sem, shm*, fs.mqueue.*)
// with an IPC namespace, kernel.domainname and kernel.hostname with a UTS
// namespace (kernel.hostname only without the hostname field, which it
// would contradict). A joined namespace that is the host's own counts as
// none. Anything else is refused: the init writes the sysctls as root in
// the host's user namespace, so kernel.core_pattern or vm.* would be the
// host's (the CVE-2019-5736 class of host writes). The key must be a
// plain dotted (or slashed) name that stays in its directory of /proc/sys.
func validateSysctls(spec *specs.Spec, l *specs.Linux) error {
	if len(l.Sysctl) == 0 {
		return nil
	}
	own := func(t specs.LinuxNamespaceType, host string) bool {
		i := slices.IndexFunc(l.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == t })
		if i < 0 {
			return false
		}
		if p := l.Namespaces[i].Path; p != "" {
			a, err1 := os.Stat(p)
			b, err2 := os.Stat(host)
			return err1 == nil && err2 == nil && !os.SameFile(a, b)
		}
		return true
	}
	for key := range l.Sysctl {
		k := strings.ReplaceAll(key, "/", ".")
		for seg := range strings.SplitSeq(k, ".") {
			if seg == "" || seg == ".." || strings.ContainsAny(seg, "\x00") {
				return invalidf("linux.sysctl: key %q is not a kernel parameter name", key)
			}
		}
		switch {
		case strings.HasPrefix(k, "net."):
			if !own(specs.NetworkNamespace, "/proc/self/ns/net") {
				return invalidf("linux.sysctl: %q is not allowed in the host's network namespace", key)
			}
		case k == "kernel.msgmax", k == "kernel.msgmnb", k == "kernel.msgmni", k == "kernel.sem",
			k == "kernel.shmall", k == "kernel.shmmax", k == "kernel.shmmni", k == "kernel.shm_rmid_forced",
			strings.HasPrefix(k, "fs.mqueue."):
			if !own(specs.IPCNamespace, "/proc/self/ns/ipc") {
				return invalidf("linux.sysctl: %q is not allowed in the host's IPC namespace", key)
			}
		case k == "kernel.domainname", k == "kernel.hostname":
			if !own(specs.UTSNamespace, "/proc/self/ns/uts") {
				return invalidf("linux.sysctl: %q is not allowed in the host's UTS namespace", key)
			}
			if k == "kernel.hostname" && spec.Hostname != "" {
				return invalidf("linux.sysctl: %q conflicts with the hostname field", key)
			}
		default:
			return invalidf("linux.sysctl: %q is not in a separate kernel namespace", key)
		}
	}
	return nil
}
