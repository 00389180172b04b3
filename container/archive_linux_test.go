package container

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestRelPath(t *testing.T) {
	for in, want := range map[string]string{
		"/": ".", "": ".", "/etc/hosts": "etc/hosts", "etc/": "etc", "/a/../../b": "b", "/a/.": "a",
	} {
		if got := relPath(in); got != want {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileMode(t *testing.T) {
	for _, c := range []struct {
		mode uint32
		want os.FileMode
	}{
		{unix.S_IFREG | 0o644, 0o644},
		{unix.S_IFDIR | 0o755, os.ModeDir | 0o755},
		{unix.S_IFLNK | 0o777, os.ModeSymlink | 0o777},
		{unix.S_IFREG | unix.S_ISUID | 0o755, os.ModeSetuid | 0o755},
		{unix.S_IFCHR | 0o666, os.ModeDevice | os.ModeCharDevice | 0o666},
		{unix.S_IFIFO | 0o600, os.ModeNamedPipe | 0o600},
		{unix.S_IFDIR | unix.S_ISVTX | 0o777, os.ModeDir | os.ModeSticky | 0o777},
	} {
		if got := fileMode(c.mode); got != c.want {
			t.Errorf("fileMode(%#o) = %v, want %v", c.mode, got, c.want)
		}
	}
}

func TestIDShift(t *testing.T) {
	r := &rootFS{shift: 200000}
	h := &tarHeader{Name: "f", Uid: 5, Gid: 65535}
	if err := r.toHost(h); err != nil || h.Uid != 200005 || h.Gid != 265535 {
		t.Errorf("toHost: %d:%d %v", h.Uid, h.Gid, err)
	}
	if err := r.toHost(&tarHeader{Name: "f", Uid: 65536}); err == nil {
		t.Errorf("an id outside the namespace was mapped")
	}
	h = &tarHeader{Uid: 200005, Gid: 0}
	r.toContainer(h)
	if h.Uid != 5 || h.Gid != 65534 {
		t.Errorf("toContainer: %d:%d, want 5:65534 (a host id outside the range is nobody)", h.Uid, h.Gid)
	}
	if unshiftOwn(0, 200000) != 0 || unshiftOwn(200007, 200000) != 7 {
		t.Errorf("unshiftOwn")
	}
}

// TestChanges lists the changes of an upper directory against two lower
// layers: added, changed and deleted paths (whiteouts), parents of
// changes as changed, an opaque directory, and the runtime's mount
// points left out.
func TestChanges(t *testing.T) {
	testutil.RequireRoot(t) // whiteouts are character devices
	dir := t.TempDir()
	lower1, lower2, upper := filepath.Join(dir, "l1"), filepath.Join(dir, "l2"), filepath.Join(dir, "upper")
	for _, p := range []string{
		"l1/etc/passwd", "l1/etc/hosts", "l1/bin/sh", "l1/bin/ls", "l1/opq/old", "l1/gone/x", "l2/etc/extra", "l2/bin/ls",
	} {
		p = filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	whiteout := func(p string) {
		if err := unix.Mknod(p, unix.S_IFCHR, 0); err != nil {
			t.Fatal(err)
		}
	}
	// l2 (above l1) deletes /bin/ls; /bin/ls in upper is then an addition.
	os.Remove(filepath.Join(lower2, "bin/ls"))
	whiteout(filepath.Join(lower2, "bin/ls"))
	for _, p := range []string{"etc", "bin", "opq", "new/deep", "proc", "dev"} {
		os.MkdirAll(filepath.Join(upper, p), 0o755)
	}
	os.WriteFile(filepath.Join(upper, "etc/passwd"), []byte("changed"), 0o644)
	os.WriteFile(filepath.Join(upper, "etc/hosts"), nil, 0o644) // a mount point the runtime made
	os.WriteFile(filepath.Join(upper, "etc/resolv.conf"), nil, 0o644)
	os.WriteFile(filepath.Join(upper, "bin/ls"), []byte("new"), 0o755)
	os.WriteFile(filepath.Join(upper, "new/deep/file"), []byte("n"), 0o644)
	whiteout(filepath.Join(upper, "bin/sh"))
	whiteout(filepath.Join(upper, "gone"))
	if err := unix.Setxattr(filepath.Join(upper, "opq"), archive.OverlayOpaqueXattr, []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	d := differ{lowers: []string{lower2, lower1}, mounts: map[string]bool{
		"/etc/hosts": true, "/etc/resolv.conf": true, "/proc": true, "/dev": true,
	}}
	if _, err := d.walk(context.Background(), upper, "/"); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(d.out, func(a, b api.ContainerChange) int {
		if a.Path < b.Path {
			return -1
		}
		return 1
	})
	var got []string
	for _, c := range d.out {
		got = append(got, []string{"C", "A", "D"}[c.Kind]+" "+c.Path)
	}
	want := []string{"C /bin", "A /bin/ls", "D /bin/sh", "C /etc", "C /etc/passwd", "D /gone", "A /new", "A /new/deep", "A /new/deep/file", "C /opq"}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%q\nwant:\n%q", got, want)
	}
}
