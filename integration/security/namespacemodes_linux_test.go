package security

import (
	"os"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// nsKinds are the namespaces a container may have of its own.
var nsKinds = []string{"pid", "net", "ipc", "uts", "mnt", "cgroup"}

// nsScript prints "KIND LINK" for each namespace of the shell.
const nsScript = `for k in pid net ipc uts mnt cgroup; do echo "$k $(readlink /proc/self/ns/$k)"; done`

func parseNamespaces(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			m[k] = v
		}
	}
	if len(m) != len(nsKinds) {
		t.Fatalf("want %d namespaces, got:\n%s", len(nsKinds), out)
	}
	return m
}

func hostNamespaces(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, k := range nsKinds {
		l, err := os.Readlink("/proc/self/ns/" + k)
		if err != nil {
			t.Fatal(err)
		}
		m[k] = l
	}
	return m
}

// TestNamespaces_JoinOnlyWhatIsAsked guards the isolation of the other
// namespaces when a container shares one: --pid container:X must join
// X's PID namespace and nothing else of X's (joining the network or mount
// namespace too would hand over X's sockets or files), the default must
// keep every namespace private, and --pid/--ipc/--uts host must share
// only that namespace with the host.
//
// Sharing a host namespace must not bring other privileges with it: with
// all three host modes the container keeps Docker's capability set, its
// seccomp filter, a read-only /proc/sys, and cannot rename the host
// (sethostname needs CAP_SYS_ADMIN, which it lacks). The host's name is
// compared before and after.
func TestNamespaces_JoinOnlyWhatIsAsked(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	host := hostNamespaces(t)
	hostname, _ := os.Hostname()

	own := parseNamespaces(t, d.OK(t, "run", "--rm", img, "sh", "-c", nsScript))
	for _, k := range nsKinds {
		if own[k] == host[k] {
			t.Errorf("by default the container shares the host's %s namespace", k)
		}
	}

	d.OK(t, "run", "-d", "--name", "x", "--ipc", "shareable", img, "sleep", "1000")
	x := parseNamespaces(t, d.OK(t, "exec", "x", "sh", "-c", nsScript))
	for _, mode := range []struct {
		flag, kind string
	}{{"--pid", "pid"}, {"--ipc", "ipc"}} {
		y := parseNamespaces(t, d.OK(t, "run", "--rm", mode.flag, "container:x", img, "sh", "-c", nsScript))
		for _, k := range nsKinds {
			switch {
			case k == mode.kind && y[k] != x[k]:
				t.Errorf("%s container:x did not join x's %s namespace", mode.flag, k)
			case k != mode.kind && y[k] == x[k]:
				t.Errorf("%s container:x also joined x's %s namespace", mode.flag, k)
			case y[k] == host[k]:
				t.Errorf("%s container:x shares the host's %s namespace", mode.flag, k)
			}
		}
	}

	for _, mode := range []struct {
		flag, kind string
	}{{"--pid", "pid"}, {"--ipc", "ipc"}, {"--uts", "uts"}} {
		y := parseNamespaces(t, d.OK(t, "run", "--rm", mode.flag, "host", img, "sh", "-c", nsScript))
		for _, k := range nsKinds {
			if shared := y[k] == host[k]; shared != (k == mode.kind) {
				t.Errorf("%s host: sharing the host's %s namespace is %v", mode.flag, k, shared)
			}
		}
	}

	probe := `grep -E '^(CapEff|Seccomp):' /proc/self/status
if (echo x > /proc/sys/kernel/core_pattern) 2>/dev/null; then echo "core_pattern WRITTEN"; else echo "core_pattern denied"; fi
if hostname crt-pwned 2>/dev/null; then echo "sethostname WRITTEN"; else echo "sethostname denied"; fi`
	out := d.OK(t, "run", "--rm", "--pid", "host", "--ipc", "host", "--uts", "host", img, "sh", "-c", probe)
	for _, want := range []string{"CapEff:\t" + dockerDefaultCaps, "Seccomp:\t2", "core_pattern denied", "sethostname denied"} {
		if !strings.Contains(out, want) {
			t.Errorf("with host namespaces: want %q in:\n%s", want, out)
		}
	}
	if now, _ := os.Hostname(); now != hostname {
		t.Errorf("the host's name changed: %q -> %q", hostname, now)
		os.WriteFile("/proc/sys/kernel/hostname", []byte(hostname), 0)
	}
}
