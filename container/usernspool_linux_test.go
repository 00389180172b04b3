package container

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// openForUserns reopens the fixture's service with pool and the root's
// parent searchable by others, as /var/lib is (t.TempDir's is 0700).
func openForUserns(t *testing.T, f *fixture, pool UsernsPool) {
	t.Helper()
	f.svc.Close()
	if err := unix.Chmod(filepath.Dir(f.root), 0o711); err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Config{Root: f.root, ExecRoot: f.execRoot, Images: f.store, Runtime: f.rt, Events: f.bus, Userns: pool})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = s
}

// TestUsernsRangesAreDistinct: two containers with private user
// namespaces get non-overlapping host id ranges, both run as their own
// root through the shared directories, neither's root can enter the
// other's directory, a removed container's range is given again, and
// the ranges survive a daemon restart.
func TestUsernsRangesAreDistinct(t *testing.T) {
	f := newFixture(t)
	openForUserns(t, f, UsernsPool{})
	ctx := context.Background()
	uidMap := `cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; id -u; ls /etc/hostname`
	run := func(name string) (id, out string) {
		t.Helper()
		id = f.run(t, api.ContainerCreate{Name: name, Userns: "private", Cmd: []string{"sh", "-c", uidMap}})
		if res := f.wait(t, id); res.StatusCode != 0 {
			t.Fatalf("%s exited with %d: %s", name, res.StatusCode, f.logs(t, id))
		}
		return id, strings.TrimSpace(f.logs(t, id))
	}
	a, outA := run("a")
	b, outB := run("b")
	if want := "0 100000 65536\n0\n/etc/hostname"; outA != want {
		t.Errorf("a printed %q, want %q", outA, want)
	}
	if want := "0 165536 65536\n0\n/etc/hostname"; outB != want {
		t.Errorf("b printed %q, want %q (its own range, reached through the shared directories)", outB, want)
	}
	// Each container's directory lets only its own root's group search it.
	for id, gid := range map[string]uint32{a: 100000, b: 165536} {
		if _, g, m := statDir(t, f.svc.containerDir(id)); g != gid || m != 0o710 {
			t.Errorf("%s: group %d mode %04o, want %d 0710", id[:12], g, m, gid)
		}
	}

	if err := f.svc.Remove(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	c, outC := run("c")
	if !strings.HasPrefix(outC, "0 100000 65536\n") {
		t.Errorf("c printed %q, want the range a gave back (100000)", outC)
	}

	// A new daemon knows which ranges are taken.
	openForUserns(t, f, UsernsPool{})
	_, outD := run("d")
	if !strings.HasPrefix(outD, "0 231072 65536\n") {
		t.Errorf("d printed %q after a daemon restart, want the next free range (231072)", outD)
	}
	for _, id := range []string{b, c} {
		if err := f.svc.Remove(ctx, id, false); err != nil {
			t.Fatal(err)
		}
	}
	// b's ACL entry went with it: the shared directories hold none for 165536.
	for _, d := range []string{f.root, filepath.Join(f.root, "containers")} {
		if aclHasUser(t, d, 165536) {
			t.Errorf("%s still lets b's root (165536) search it after b was removed", d)
		}
	}
}

// TestUsernsPoolExhausted: with every range taken, a create fails with
// ErrConflict and leaves nothing behind.
func TestUsernsPoolExhausted(t *testing.T) {
	f := newFixture(t)
	openForUserns(t, f, UsernsPool{Start: 300000, Ranges: 1})
	ctx := context.Background()
	if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Userns: "private"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Userns: "private", Name: "second"})
	if !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("second create with a full pool: %v, want ErrConflict", err)
	}
	if list, _ := f.svc.List(ctx, true); len(list) != 1 {
		t.Errorf("%d containers after the refused create, want 1", len(list))
	}
	s, err := New(ctx, Config{Root: t.TempDir(), ExecRoot: t.TempDir(), Images: f.store, Runtime: f.rt,
		Userns: UsernsPool{Start: 1 << 31, Ranges: 1 << 20}})
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("a pool beyond 32-bit ids: %v, want ErrInvalidArgument", err)
	}
}

// aclHasUser reports whether path's access ACL has an entry for uid.
func aclHasUser(t testing.TB, path string, uid uint32) bool {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := unix.Lgetxattr(path, "system.posix_acl_access", buf)
	if errors.Is(err, unix.ENODATA) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	for b := buf[4:n]; len(b) >= 8; b = b[8:] {
		tag := uint16(b[0]) | uint16(b[1])<<8
		id := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
		if tag == 0x02 && id == uid {
			return true
		}
	}
	return false
}
