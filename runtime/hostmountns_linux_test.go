package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// withoutMountNamespace removes the mount namespace from b's spec: the
// container shares ours (runtime-spec: a type not listed is inherited).
func withoutMountNamespace(b *testBundle) {
	b.spec.Linux.Namespaces = slices.DeleteFunc(b.spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.MountNamespace
	})
}

// mountTableOf returns the lines of /proc/self/mountinfo that can be a
// container's here: every mount at or under dir, and every mount holding
// dir (whose propagation, in the optional fields, must not change). Other
// test packages mount elsewhere beside us, so the rest of the table is
// not compared.
func mountTableOf(t testing.TB, dir string) []string {
	t.Helper()
	var lines []string
	for _, m := range hostMounts(t) {
		under := m.Mountpoint == dir || strings.HasPrefix(m.Mountpoint, dir+"/")
		holds := m.Mountpoint == "/" || strings.HasPrefix(dir, m.Mountpoint+"/")
		if under || holds {
			lines = append(lines, strings.Join([]string{m.Mountpoint, m.Root, m.FSType, m.Source, m.Options, m.Optional}, " "))
		}
	}
	slices.Sort(lines)
	return lines
}

func sameMountTable(t testing.TB, when string, before, after []string) {
	t.Helper()
	if !slices.Equal(before, after) {
		t.Errorf("mount table %s differs from before create:\nbefore: %q\nafter:  %q", when, before, after)
	}
}

// TestNoMountNamespaceSharesHostMountNamespace runs a busybox container
// whose spec lists no mount namespace: it shares ours, yet its root is
// its rootfs, its /proc is its own PID namespace's and masked there (not
// ours), exec enters the same root, and after delete our mount table is
// as before create.
func TestNoMountNamespaceSharesHostMountNamespace(t *testing.T) {
	b := newTestBundle(t, "sh", "-c", `
cat /marker
readlink /proc/self/ns/mnt
echo pid=$$ comm1=$(cat /proc/1/comm) root1=$(readlink /proc/1/root)
cd /../../.. && echo $(pwd) $(cat marker)
grep -c ' /proc/keys ' /proc/self/mountinfo
echo ready; read x; exit 0`)
	withoutMountNamespace(b)
	marker := "inside-" + filepath.Base(b.dir)
	if err := os.WriteFile(filepath.Join(b.rootfs, "marker"), []byte(marker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := mountTableOf(t, b.dir)
	id := testID(t)
	watchLeaks(t, b, id)

	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdinW.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out := collect(r)
	c := b.create(t, id, CreateOptions{Stdio: Stdio{Stdin: stdinR, Stdout: w, Stderr: w}})
	w.Close()
	stdinR.Close()
	c.out = out
	c.start(t)
	out.waitFor(t, "ready")

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("output: %q", out.String())
	}
	if lines[0] != marker {
		t.Errorf("/marker in the container = %q, want %q: the root is not the rootfs", lines[0], marker)
	}
	ourNS, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	if lines[1] != ourNS {
		t.Errorf("container's mount namespace %s, want ours %s", lines[1], ourNS)
	}
	// The shell is PID 1 of its PID namespace and /proc shows that
	// namespace; PID 1's root is the container's own.
	if lines[2] != "pid=1 comm1=sh root1=/" {
		t.Errorf("pid and /proc in the container: %q, want %q", lines[2], "pid=1 comm1=sh root1=/")
	}
	if lines[3] != "/ "+marker {
		t.Errorf("after cd /../../.. the container sees %q, want its own root", lines[3])
	}
	if lines[4] != "1" {
		t.Errorf("/proc/keys is mounted over %s times in the container, want 1 (masked)", lines[4])
	}

	// The container's mounts are in our table, under the rootfs only.
	var under, atHostProc bool
	for _, m := range hostMounts(t) {
		under = under || m.Mountpoint == filepath.Join(b.rootfs, "proc")
		atHostProc = atHostProc || m.Mountpoint == "/proc/keys"
	}
	if !under {
		t.Errorf("no proc mount at %s/proc in our mount table", b.rootfs)
	}
	if atHostProc {
		t.Errorf("the masked path was mounted over our /proc/keys, not the container's")
	}

	execOut, st := c.execIn(t, processSpec("sh", "-c", "cat /marker; readlink /proc/self/root; pwd"))
	if st.Code != 0 || execOut != marker+"\n/\n/" {
		t.Errorf("exec: %q (exit %d), want the container's root", execOut, st.Code)
	}

	stdinW.Close()
	if st := c.wait(t); st.Code != 0 {
		t.Errorf("exit %d: %q", st.Code, out.String())
	}
	if err := b.rt.Delete(context.Background(), id, false); err != nil {
		t.Fatal(err)
	}
	sameMountTable(t, "after delete", before, mountTableOf(t, b.dir))
}

// TestNoMountNamespaceFailedCreateLeavesNoMount: a create that fails in
// the init stage (its program does not exist) after the mounts were made
// removes them all.
func TestNoMountNamespaceFailedCreateLeavesNoMount(t *testing.T) {
	b := newTestBundle(t, "/no/such/program")
	withoutMountNamespace(b)
	before := mountTableOf(t, b.dir)
	id := testID(t)
	watchLeaks(t, b, id)
	c, err := b.tryCreate(id, CreateOptions{})
	if err == nil {
		c.cleanup(t)
		t.Fatal("create of a missing program succeeded")
	}
	if !strings.Contains(err.Error(), "/no/such/program") {
		t.Errorf("create failed for another reason: %v", err)
	}
	sameMountTable(t, "after the failed create", before, mountTableOf(t, b.dir))
}

// TestNoMountNamespaceKill9ThenDelete: the container killed with SIGKILL
// leaves its mounts to delete, which removes them, including one the
// container's own root process made.
func TestNoMountNamespaceKill9ThenDelete(t *testing.T) {
	b := newTestBundle(t, "sh", "-c", "mount -t tmpfs own /tmp && echo mounted; exec sleep 1000")
	withoutMountNamespace(b)
	c0 := b.spec.Process.Capabilities
	c0.Bounding = append(c0.Bounding, "CAP_SYS_ADMIN")
	c0.Permitted = append(c0.Permitted, "CAP_SYS_ADMIN")
	c0.Effective = append(c0.Effective, "CAP_SYS_ADMIN")
	before := mountTableOf(t, b.dir)
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "mounted")
	found := false
	for _, m := range hostMounts(t) {
		found = found || m.Mountpoint == filepath.Join(b.rootfs, "tmp")
	}
	if !found {
		t.Fatalf("the container's own mount is not at %s/tmp in our table", b.rootfs)
	}
	if err := unix.Kill(c.p.Pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	if err := b.rt.Delete(context.Background(), id, false); err != nil {
		t.Fatal(err)
	}
	sameMountTable(t, "after kill -9 and delete", before, mountTableOf(t, b.dir))
}

// TestNoMountNamespaceRefusals: what cannot be confined without a mount
// namespace is refused at create, with nothing left behind.
func TestNoMountNamespaceRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(b *testBundle)
		want string
	}{
		{"user namespace", func(b *testBundle) {
			b.spec.Linux.Namespaces = append(b.spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
			b.spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			b.spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		}, "a user namespace needs a mount namespace"},
		{"minimal init", func(b *testBundle) { b.init = true }, "the minimal init needs a mount namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBundle(t, "true")
			withoutMountNamespace(b)
			tc.set(b)
			before := mountTableOf(t, b.dir)
			id := testID(t)
			watchLeaks(t, b, id)
			_, err := b.tryCreate(id, CreateOptions{Init: b.init})
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("create: %v, want ErrInvalidArgument with %q", err, tc.want)
			}
			sameMountTable(t, "after the refused create", before, mountTableOf(t, b.dir))
		})
	}
}
