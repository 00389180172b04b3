package runtime

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The tests of this file look at a container from inside: which
// processes, mounts, network interfaces and ids it sees.

func TestPIDNamespace(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "echo $$; ls /proc")
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 0 {
		t.Fatalf("exit %+v, output %q", st, out)
	}
	lines := strings.Fields(out)
	if len(lines) == 0 || lines[0] != "1" {
		t.Fatalf("the shell's PID is not 1: output %q", out)
	}
	// /proc lists the shell (1) and, unless the shell executed it in
	// place, ls: nothing of the host.
	var pids []int
	for _, s := range lines[1:] {
		if pid, err := strconv.Atoi(s); err == nil {
			pids = append(pids, pid)
		}
	}
	if !slices.Contains(pids, 1) || len(pids) > 2 {
		t.Errorf("the container sees PIDs %v, want 1 and at most one more", pids)
	}
	for _, pid := range pids {
		if pid > 2 {
			t.Errorf("the container sees PID %d: not one of its own", pid)
		}
	}
}

func TestHostname(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "hostname; cat /proc/sys/kernel/domainname")
	b.spec.Hostname = "probe-host"
	b.spec.Domainname = "example.org"
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if want := "probe-host\nexample.org"; out != want || st.Code != 0 {
		t.Fatalf("got %q (%+v), want %q", out, st, want)
	}
	host, _ := os.Hostname()
	if host == "probe-host" {
		t.Errorf("the host's name changed to the container's")
	}
}

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	point, opts, fstype string
}

func parseMountinfo(t testing.TB, s string) []mountEntry {
	t.Helper()
	var out []mountEntry
	for line := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 1 {
			t.Fatalf("bad mountinfo line %q", line)
		}
		out = append(out, mountEntry{point: f[4], opts: f[5], fstype: g[0]})
	}
	return out
}

func TestMounts(t *testing.T) {
	b := newTestBundle(t, "/bin/cat", "/proc/self/mountinfo")
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 0 {
		t.Fatalf("exit %+v, output %q", st, out)
	}
	mounts := parseMountinfo(t, out)

	allowed := map[string]bool{"/": true}
	required := []string{"/"}
	for _, m := range b.spec.Mounts {
		allowed[m.Destination] = true
		required = append(required, m.Destination)
	}
	// Masked and read-only paths are mounted over when this kernel has
	// them (this one has no /proc/kcore, for example).
	for _, p := range append(b.spec.Linux.MaskedPaths, b.spec.Linux.ReadonlyPaths...) {
		allowed[p] = true
		if _, err := os.Lstat(p); err == nil {
			required = append(required, p)
		}
	}
	seen := map[string]mountEntry{}
	for _, m := range mounts {
		// The read-only cgroup tree holds one mount per host hierarchy.
		if !allowed[m.point] && !strings.HasPrefix(m.point, "/sys/fs/cgroup/") {
			t.Errorf("unexpected mount %s (%s) in the container", m.point, m.fstype)
		}
		if _, dup := seen[m.point]; dup && m.point == "/" {
			t.Errorf("two mounts on /: the host's root is still visible")
		}
		seen[m.point] = m
	}
	for _, p := range required {
		if _, ok := seen[p]; !ok {
			t.Errorf("no mount on %s", p)
		}
	}
	for _, p := range []string{"/", "/sys", "/proc/sys", "/sys/fs/cgroup"} {
		if m, ok := seen[p]; ok && !slices.Contains(strings.Split(m.opts, ","), "ro") {
			t.Errorf("%s is mounted %s, want ro", p, m.opts)
		}
	}
	if t.Failed() {
		t.Logf("mountinfo in the container:\n%s", out)
	}
}

func TestNetworkNamespace(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags")
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	f := strings.Fields(out)
	if st.Code != 0 || len(f) != 2 {
		t.Fatalf("exit %+v, output %q: want exactly lo and its flags", st, out)
	}
	if f[0] != "lo" {
		t.Errorf("interfaces %q, want only lo", f[0])
	}
	flags, err := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 32)
	if err != nil {
		t.Fatalf("flags of lo %q: %v", f[1], err)
	}
	if flags&unix.IFF_UP == 0 {
		t.Errorf("lo is down (flags %#x)", flags)
	}
}

// withUserNamespace gives b's container a user namespace mapping ids
// 0..size-1 to hostID..: the rootfs is chowned to hostID, and the
// directories above it are opened up so that the container's root, an
// unprivileged host uid, can reach it.
func (b *testBundle) withUserNamespace(t testing.TB, hostID, size uint32) {
	t.Helper()
	b.spec.Linux.Namespaces = append(b.spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	b.spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: hostID, Size: size}}
	b.spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: hostID, Size: size}}
	chownTree(t, b.rootfs, int(hostID), int(hostID))
	for _, d := range []string{b.dir, filepath.Dir(b.dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// chownTree gives every file under dir to uid:gid, symlinks included.
func chownTree(t testing.TB, dir string, uid, gid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatalf("chown -R %d:%d %s: %v", uid, gid, dir, err)
	}
}

func TestUserNamespace(t *testing.T) {
	const hostID, size = 100000, 65536
	b := newTestBundle(t, "/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; echo ready; exec sleep 60")
	b.withUserNamespace(t, hostID, size)
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	if err := b.rt.Start(t.Context(), id); err != nil {
		t.Fatalf("start: %v (output %q)", err, c.out.all(t))
	}
	c.out.waitFor(t, "ready")

	lines := strings.Split(strings.TrimSpace(c.out.String()), "\n")
	if len(lines) < 4 {
		t.Fatalf("output %q", c.out.String())
	}
	for i, name := range []string{"uid_map", "gid_map"} {
		if got := strings.Fields(lines[i]); !slices.Equal(got, []string{"0", strconv.Itoa(hostID), strconv.Itoa(size)}) {
			t.Errorf("%s in the container is %q, want 0 %d %d", name, lines[i], hostID, size)
		}
	}
	if lines[2] != "0" {
		t.Errorf("id -u in the container is %q, want 0", lines[2])
	}
	// Seen from the host, the container's root is uid 100000.
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.p.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"Uid:", "Gid:"} {
		want := []string{key, "100000", "100000", "100000", "100000"}
		if got := statusLine(string(status), key); !slices.Equal(got, want) {
			t.Errorf("host view of the container process: %v, want %v", got, want)
		}
	}
	if err := b.rt.Kill(t.Context(), id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st.Signal != int(unix.SIGKILL) {
		t.Errorf("exit %+v, want SIGKILL", st)
	}
}

// statusLine returns the fields of the line of /proc/PID/status that
// starts with key.
func statusLine(status, key string) []string {
	for line := range strings.SplitSeq(status, "\n") {
		if strings.HasPrefix(line, key) {
			return strings.Fields(line)
		}
	}
	return nil
}
