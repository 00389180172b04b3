package container

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckSysctl: a key checkSysctl accepts names a file under
// /proc/sys/net, /proc/sys/kernel or /proc/sys/fs/mqueue once its dots
// become slashes, whatever the namespaces; and with no namespace of its
// own the container is given nothing.
func FuzzCheckSysctl(f *testing.F) {
	for _, s := range []string{"net.ipv4.ip_forward", "kernel.shmmax", "fs.mqueue.msg_max", "kernel.core_pattern",
		"net..x", "net.ipv4/../../kernel", "kernel.hostname", "net.", ".net"} {
		f.Add(s, true, true)
	}
	f.Fuzz(func(t *testing.T, key string, net, ipc bool) {
		if err := checkSysctl(key, containerNamespaces{net: net, ipc: ipc, uts: true}); err != nil {
			return
		}
		p := filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
		ok := strings.HasPrefix(p, "/proc/sys/net/") || strings.HasPrefix(p, "/proc/sys/kernel/") || strings.HasPrefix(p, "/proc/sys/fs/mqueue/")
		if !ok || p != filepath.Clean(p) || strings.Contains(key, "/") {
			t.Fatalf("checkSysctl accepted %q (%s)", key, p)
		}
		if err := checkSysctl(key, containerNamespaces{}); err == nil {
			t.Fatalf("checkSysctl accepted %q without a namespace of the container's own", key)
		}
	})
}
