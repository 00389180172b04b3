package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// fsOp creates one thing in a test directory.
type fsOp func(tb testing.TB, root string)

func opDir(name string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
}

func opFile(name, content string, mode os.FileMode) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			tb.Fatal(err)
		}
		// unix.Chmod: os.Chmod drops the 0o7000 bits given numerically.
		if err := unix.Chmod(p, uint32(mode)); err != nil {
			tb.Fatal(err)
		}
	}
}

func opSymlink(target, name string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			tb.Fatal(err)
		}
	}
}

func opLink(target, name string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := os.Link(filepath.Join(root, target), filepath.Join(root, name)); err != nil {
			tb.Fatal(err)
		}
	}
}

func opWhiteout(name string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := unix.Mknod(filepath.Join(root, name), unix.S_IFCHR, 0); err != nil {
			tb.Fatal(err)
		}
	}
}

func opOpaque(name string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := unix.Setxattr(filepath.Join(root, name), OverlayOpaqueXattr, []byte("y"), 0); err != nil {
			tb.Fatal(err)
		}
	}
}

func opXattr(name, attr, value string) fsOp {
	return func(tb testing.TB, root string) {
		tb.Helper()
		if err := unix.Lsetxattr(filepath.Join(root, name), attr, []byte(value), 0); err != nil {
			tb.Fatal(err)
		}
	}
}

// build applies ops to a new directory and gives everything in it the
// fixture mtime (directories last), so only content decides the digest.
func build(tb testing.TB, ops ...fsOp) string {
	tb.Helper()
	root := tb.TempDir()
	for _, op := range ops {
		op(tb, root)
	}
	touchAll(tb, root)
	return root
}

func touchAll(tb testing.TB, root string) {
	tb.Helper()
	var paths []string
	if err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		paths = append(paths, p)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	ts := []unix.Timespec{timespec(testTime()), timespec(testTime())}
	for _, p := range slices.Backward(paths) {
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			tb.Fatal(err)
		}
	}
}

func writeDiff(tb testing.TB, dir string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteDiff(context.Background(), &buf, dir); err != nil {
		tb.Fatalf("WriteDiff(%s): %v", dir, err)
	}
	return buf.Bytes()
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestWriteDiffDeterministic(t *testing.T) {
	requireRoot(t)
	content := []fsOp{
		opDir("a/b"), opFile("a/b/f", "one", 0o644), opFile("a/x", "two", 0o600),
		opFile("z", "three", 0o755), opSymlink("a/x", "lnk"), opLink("z", "a/z-hard"),
		opWhiteout("gone"), opDir("o"), opOpaque("o"), opXattr("z", "user.k", "v"),
	}
	// Same content, created in another order: directories first, then
	// the rest backwards (the hard link still after its target).
	reversed := []fsOp{
		opDir("o"), opDir("a/b"), opWhiteout("gone"), opFile("z", "three", 0o755), opXattr("z", "user.k", "v"),
		opLink("z", "a/z-hard"), opSymlink("a/x", "lnk"), opFile("a/x", "two", 0o600), opOpaque("o"), opFile("a/b/f", "one", 0o644),
	}
	d1, d2 := build(t, content...), build(t, reversed...)
	// Access times must not matter: read everything in one of them.
	if _, err := os.ReadFile(filepath.Join(d2, "z")); err != nil {
		t.Fatal(err)
	}
	t1, t2 := writeDiff(t, d1), writeDiff(t, d2)
	if digestOf(t1) != digestOf(t2) {
		t.Errorf("same content, different digests:\n%v\n%v", readTarNames(t, t1), readTarNames(t, t2))
	}
	if !bytes.Equal(t1, writeDiff(t, d1)) {
		t.Errorf("two writes of the same directory differ")
	}
	// Changing any byte changes the digest.
	if err := os.WriteFile(filepath.Join(d2, "a/x"), []byte("twO"), 0o600); err != nil {
		t.Fatal(err)
	}
	touchAll(t, d2)
	if digestOf(t1) == digestOf(writeDiff(t, d2)) {
		t.Errorf("different content, same digest")
	}
}

func TestWriteDiffWhiteoutsAndLinks(t *testing.T) {
	requireRoot(t)
	dir := build(t,
		opDir("d"), opFile("d/f", "x", 0o4755), opWhiteout("d/gone"), opDir("o"), opOpaque("o"),
		opFile("o/kept", "k", 0o644), opLink("d/f", "hard"), opWhiteout("top"),
		opXattr("o", OverlayOpaqueXattr, "y"), opXattr("d/f", "user.k", "v"),
	)
	data := writeDiff(t, dir)
	want := []string{
		"5 d/", "0 d/f", "0 d/.wh.gone", "1 hard -> d/f", "5 o/", "0 o/.wh..wh..opq", "0 o/kept", "0 .wh.top",
	}
	got := readTarNames(t, data)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %q\nwant %q", got, want)
	}
	// Metadata survives, overlay xattrs do not leak into the tar.
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		for k := range h.PAXRecords {
			if isOverlayXattr(k[len("SCHILY.xattr."):]) {
				t.Errorf("%s carries overlay xattr %s", h.Name, k)
			}
		}
		if h.Name == "d/f" {
			if h.Mode != 0o4755 || h.PAXRecords["SCHILY.xattr.user.k"] != "v" {
				t.Errorf("d/f mode %#o xattrs %v", h.Mode, h.PAXRecords)
			}
		}
	}

	// Extracting it back with overlay whiteouts gives the same tree.
	out := t.TempDir()
	if err := Extract(context.Background(), bytes.NewReader(data), out, ExtractOptions{OverlayWhiteouts: true}); err != nil {
		t.Fatal(err)
	}
	if a, b := listTree(t, dir), listTree(t, out); !reflect.DeepEqual(a, b) {
		t.Errorf("round trip differs:\n%q\n%q", a, b)
	}
	if ok, _ := isOpaque(filepath.Join(out, "o")); !ok {
		t.Errorf("o lost its opaque mark")
	}
	if !bytes.Equal(writeDiff(t, out), data) {
		t.Errorf("re-archiving the extracted layer gives other bytes")
	}
}

func TestWriteMerged(t *testing.T) {
	requireRoot(t)
	bottom := build(t,
		opFile("a", "bottom", 0o644), opDir("d"), opFile("d/x", "x", 0o644), opFile("d/y", "y", 0o644),
		opFile("gone", "g", 0o644), opDir("opq"), opFile("opq/old", "old", 0o644), opDir("replaced"), opFile("replaced/f", "f", 0o644),
		opFile("h1", "hard", 0o644), opLink("h1", "h2"),
	)
	middle := build(t,
		opFile("a", "middle", 0o644), opDir("d"), opWhiteout("d/y"), opWhiteout("gone"),
		opDir("opq"), opOpaque("opq"), opFile("opq/new", "new", 0o644), opFile("replaced", "now a file", 0o644), opWhiteout("h1"),
	)
	top := build(t, opFile("b", "top", 0o644), opDir("d"), opFile("d/z", "z", 0o644), opDir("gone"))
	var buf bytes.Buffer
	if err := WriteMerged(context.Background(), &buf, []string{top, middle, bottom}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := Extract(context.Background(), &buf, out, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a -rw-r--r-- file:middle",
		"b -rw-r--r-- file:top",
		"d -rwxr-xr-x dir",
		"d/x -rw-r--r-- file:x",
		"d/z -rw-r--r-- file:z",
		"gone -rwxr-xr-x dir",
		"h2 -rw-r--r-- file:hard",
		"opq -rwxr-xr-x dir",
		"opq/new -rw-r--r-- file:new",
		"replaced -rw-r--r-- file:now a file",
	}
	if got := listTree(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("merged tree:\n got %q\nwant %q", got, want)
	}
}

func TestExtractMetadata(t *testing.T) {
	requireRoot(t)
	mt := testTime()
	dev := tarEntry{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Mode: 0o666, Devmajor: 1, Devminor: 3, ModTime: mt}}
	fifo := tarEntry{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "fifo", Mode: 0o600, ModTime: mt}}
	owned := fileE("owned", "o", 0o4750)
	owned.hdr.Uid, owned.hdr.Gid = 1000, 1001
	owned.hdr.PAXRecords = map[string]string{"SCHILY.xattr.user.k": "v", "SCHILY.xattr.trusted.overlay.opaque": "y"}
	forged := dirE("forged", 0o755)
	forged.hdr.PAXRecords = map[string]string{"SCHILY.xattr.trusted.overlay.redirect": "/etc"}
	data := makeTar(t, dirE("dev", 0o755), dev, fifo, owned, forged, dirE("later", 0o711), fileE("later/f", "f", 0o644))
	out := t.TempDir()
	if err := Extract(context.Background(), bytes.NewReader(data), out, ExtractOptions{OverlayWhiteouts: true}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(out, "dev/null"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		t.Errorf("dev/null: %+v %v", st, err)
	}
	if err := unix.Lstat(filepath.Join(out, "fifo"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("fifo: %v", err)
	}
	if err := unix.Lstat(filepath.Join(out, "owned"), &st); err != nil || st.Uid != 1000 || st.Gid != 1001 || st.Mode&0o7777 != 0o4750 {
		t.Errorf("owned: uid %d gid %d mode %#o (%v)", st.Uid, st.Gid, st.Mode&0o7777, err)
	}
	if st.Mtim.Sec != mt.Unix() {
		t.Errorf("owned mtime %d, want %d", st.Mtim.Sec, mt.Unix())
	}
	buf := make([]byte, 16)
	if n, err := unix.Lgetxattr(filepath.Join(out, "owned"), "user.k", buf); err != nil || string(buf[:n]) != "v" {
		t.Errorf("user.k xattr: %q %v", buf[:n], err)
	}
	for _, c := range []struct{ name, attr string }{{"owned", "trusted.overlay.opaque"}, {"forged", "trusted.overlay.redirect"}} {
		if _, err := unix.Lgetxattr(filepath.Join(out, c.name), c.attr, buf); err == nil {
			t.Errorf("%s: overlay xattr %s copied from the archive", c.name, c.attr)
		}
	}
	// Directory times are set after their content.
	if err := unix.Lstat(filepath.Join(out, "later"), &st); err != nil || st.Mtim.Sec != mt.Unix() || st.Mode&0o777 != 0o711 {
		t.Errorf("later: mtime %d mode %#o (%v)", st.Mtim.Sec, st.Mode&0o777, err)
	}
}

func TestDecompress(t *testing.T) {
	plain := makeTar(t, fileE("f", "content", 0o644))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	cases := []struct {
		name    string
		in      []byte
		wantErr bool
	}{
		{"plain", plain, false},
		{"gzip", gz.Bytes(), false},
		{"empty", nil, false},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 1, 2}, true},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Decompress(bytes.NewReader(c.in))
			if c.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var out bytes.Buffer
			if _, err := out.ReadFrom(r); err != nil {
				t.Fatal(err)
			}
			if len(c.in) > 0 && !bytes.Equal(out.Bytes(), plain) {
				t.Errorf("decompressed content differs")
			}
		})
	}
}
