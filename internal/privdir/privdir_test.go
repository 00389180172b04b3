package privdir

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// mode returns the permission, setgid and sticky bits of path.
func mode(t testing.TB, path string) uint32 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Mode & 0o7777
}

// chmod sets path's mode exactly (past the umask).
func chmod(t testing.TB, path string, m uint32) {
	t.Helper()
	if err := unix.Chmod(path, m); err != nil {
		t.Fatal(err)
	}
}

func TestMkdirIsPrivate(t *testing.T) {
	// Whatever the umask lets through, the result is 0700.
	old := unix.Umask(0)
	defer unix.Umask(old)
	dir := t.TempDir()
	one := filepath.Join(dir, "one")
	if err := Mkdir(one); err != nil {
		t.Fatal(err)
	}
	if err := Mkdir(one); !os.IsExist(err) {
		t.Errorf("Mkdir of an existing directory: %v; want an fs.ErrExist", err)
	}
	deep := filepath.Join(dir, "a", "b", "c")
	if err := MkdirAll(deep); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{one, filepath.Join(dir, "a"), filepath.Join(dir, "a", "b"), deep} {
		if m := mode(t, p); m != 0o700 {
			t.Errorf("%s: mode %04o, want 0700", p, m)
		}
	}
}

func TestMkdirAllTightensAnExistingDirectory(t *testing.T) {
	// The directories are root's group's (t.TempDir as root) or the
	// caller's: group search goes only for root's group.
	var rootGroup uint32
	if os.Getegid() == 0 {
		rootGroup = 0o010
	}
	for _, tt := range []struct{ from, want uint32 }{
		{0o711, 0o710 &^ rootGroup}, // the data root of older versions
		{0o755, 0o710 &^ rootGroup},
		{0o777, 0o710 &^ rootGroup},
		{0o701, 0o700},
		{0o700, 0o700},
		{0o2775, 0o2710 &^ rootGroup},
	} {
		dir := filepath.Join(t.TempDir(), "d")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		chmod(t, dir, tt.from)
		if err := MkdirAll(dir); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, dir); m != tt.want {
			t.Errorf("MkdirAll on a %04o directory: %04o, want %04o", tt.from, m, tt.want)
		}
	}
}

func TestTighten(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	private := filepath.Join(dir, "private")
	file := filepath.Join(dir, "file")
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link")
	for _, d := range []string{open, private, target} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	chmod(t, open, 0o755)
	chmod(t, target, 0o755)
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}

	var logged bytes.Buffer
	ctx := logctx.With(context.Background(), slog.New(slog.NewTextHandler(&logged, nil)))
	if err := Tighten(ctx, open, private, file, link, filepath.Join(dir, "missing")); err != nil {
		t.Fatal(err)
	}
	want := uint32(0o710)
	if os.Getegid() == 0 {
		want = 0o700 // root's group does not keep search
	}
	for _, c := range []struct {
		path string
		want uint32
	}{
		{open, want},
		{private, 0o700},
		{file, 0o644},   // not a directory: left alone
		{target, 0o755}, // reached through a symlink: not followed
	} {
		if m := mode(t, c.path); m != c.want {
			t.Errorf("%s: mode %04o after Tighten, want %04o", filepath.Base(c.path), m, c.want)
		}
	}
	// One change, one line naming the path and both modes.
	out := logged.String()
	if n := strings.Count(out, "\n"); n != 1 || !strings.Contains(out, open) || !strings.Contains(out, "mode=0755") || !strings.Contains(out, fmt.Sprintf("now=%04o", want)) {
		t.Errorf("Tighten logged %d lines:\n%s\nwant one naming %s, 0755 and %04o", n, out, open, want)
	}
}

func TestBelow(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"a/b/c", "d"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o600)
	os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "l"))

	got, err := Below(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b"), filepath.Join(dir, "d")}
	if !slices.Equal(got, want) {
		t.Errorf("Below(dir, 2) = %q, want %q", got, want)
	}
	if got, err := Below(filepath.Join(dir, "missing"), 2); err != nil || got != nil {
		t.Errorf("Below of a missing directory: %q, %v; want nothing", got, err)
	}
}

func TestAllowGroupSearch(t *testing.T) {
	testutil.RequireRoot(t) // a chgrp to a group we are not in
	dir := filepath.Join(t.TempDir(), "d")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := AllowGroupSearch(dir, 100000); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Gid != 100000 || st.Uid != 0 || st.Mode&0o7777 != 0o710 {
		t.Errorf("after AllowGroupSearch: %d:%d %04o, want 0:100000 0710", st.Uid, st.Gid, st.Mode&0o7777)
	}
	// The start-up repair keeps it: group search is not "open".
	if err := Tighten(context.Background(), dir); err != nil || mode(t, dir) != 0o710 {
		t.Errorf("Tighten after AllowGroupSearch: %04o, %v; want 0710 kept", mode(t, dir), err)
	}
}
