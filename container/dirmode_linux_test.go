package container

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
)

// statDir returns the owner, group and mode (with setgid and sticky) of p.
func statDir(tb testing.TB, p string) (uid, gid, mode uint32) {
	tb.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		tb.Fatal(err)
	}
	return st.Uid, st.Gid, st.Mode & 0o7777
}

// TestDirectoriesArePrivate: the directories above a container's root
// file system are root's alone (0700), so no host user can reach its
// setuid files (CVE-2021-41091; the attack itself is in
// integration/security). A root left 0711 by an older version is made
// private when the service opens; a container in a private user namespace
// opens the path to its root's group only (0710, group 100000).
func TestDirectoriesArePrivate(t *testing.T) {
	f := newFixture(t)
	f.svc.Close()
	// The root's parent must be searchable by others for the user
	// namespace case, as /var/lib is; t.TempDir's parent is 0700.
	if err := unix.Chmod(filepath.Dir(f.root), 0o711); err != nil {
		t.Fatal(err)
	}
	containers := filepath.Join(f.root, "containers")
	for _, p := range []string{f.root, containers, filepath.Join(f.execRoot, "containers")} {
		if err := unix.Chmod(p, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	f.svc = f.open(t)
	for _, p := range []string{f.root, containers, filepath.Join(f.execRoot, "containers")} {
		if _, _, m := statDir(t, p); m != 0o700 {
			t.Errorf("%s: mode %04o after the service opened, want 0700", p, m)
		}
	}

	id := f.run(t, api.ContainerCreate{Cmd: []string{"true"}})
	f.wait(t, id)
	for _, p := range []string{f.root, containers, f.svc.containerDir(id), f.svc2dir(id)} {
		if _, _, m := statDir(t, p); m != 0o700 {
			t.Errorf("%s: mode %04o, want 0700", p, m)
		}
	}

	id = f.run(t, api.ContainerCreate{Userns: "private", Cmd: []string{"sh", "-c", "id -u; ls /etc/hostname"}})
	f.wait(t, id)
	if out := strings.TrimSpace(f.logs(t, id)); out != "0\n/etc/hostname" {
		t.Errorf("the container in a private user namespace printed %q, want it to run as its root", out)
	}
	for _, p := range []string{f.root, containers, f.svc.containerDir(id)} {
		if uid, gid, m := statDir(t, p); uid != 0 || gid != usernsHostID || m != 0o710 {
			t.Errorf("%s: %d:%d %04o, want 0:%d 0710 (search for the container's root group only)", p, uid, gid, m, usernsHostID)
		}
	}
}
