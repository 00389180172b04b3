package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// treeEntries writes base of dir with WriteTree and returns the headers and
// regular files' contents by name.
func treeEntries(t *testing.T, dir, base, name string) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var buf bytes.Buffer
	if err := WriteTree(context.Background(), &buf, fd, base, name); err != nil {
		t.Fatal(err)
	}
	hdrs, bodies := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		hdrs[h.Name], bodies[h.Name] = h, string(b)
	}
}

func TestWriteTree(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "sub"), 0o750)
	os.WriteFile(filepath.Join(src, "sub", "f"), []byte("content"), 0o640)
	os.Link(filepath.Join(src, "sub", "f"), filepath.Join(src, "a-hard"))
	os.Symlink("/etc/passwd", filepath.Join(src, "abs-link"))
	if err := unix.Mkfifo(filepath.Join(src, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}

	hdrs, bodies := treeEntries(t, dir, "src", "renamed")
	var names []string
	for n := range hdrs {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"renamed/", "renamed/a-hard", "renamed/abs-link", "renamed/fifo", "renamed/sub/", "renamed/sub/f"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries %q, want %q", names, want)
	}
	if bodies["renamed/a-hard"] != "content" || hdrs["renamed/sub/f"].Typeflag != tar.TypeLink || hdrs["renamed/sub/f"].Linkname != "renamed/a-hard" {
		t.Errorf("hard links: %+v %+v", hdrs["renamed/a-hard"], hdrs["renamed/sub/f"])
	}
	// The symlink is written, never followed (its target's content is not
	// in the archive).
	if h := hdrs["renamed/abs-link"]; h.Typeflag != tar.TypeSymlink || h.Linkname != "/etc/passwd" {
		t.Errorf("symlink %+v", h)
	}
	if h := hdrs["renamed/fifo"]; h.Typeflag != tar.TypeFifo {
		t.Errorf("fifo %+v", h)
	}
	if h := hdrs["renamed/sub/"]; h.Mode != 0o750 {
		t.Errorf("directory mode %#o", h.Mode)
	}

	// A single file, a symlink as the top entry, and "." (the directory
	// itself).
	if hdrs, bodies := treeEntries(t, filepath.Join(src, "sub"), "f", "f"); len(hdrs) != 1 || bodies["f"] != "content" {
		t.Errorf("one file: %v", hdrs)
	}
	if hdrs, _ := treeEntries(t, src, "abs-link", "l"); len(hdrs) != 1 || hdrs["l"].Typeflag != tar.TypeSymlink {
		t.Errorf("a symlink at the top is not followed: %v", hdrs)
	}
	if hdrs, _ := treeEntries(t, src, ".", "top"); hdrs["top/"] == nil || hdrs["top/sub/f"] == nil {
		t.Errorf(". as the base: %v", hdrs)
	}
}

// TestWriteTreeSkipsPseudoFilesystems: /proc is written as a directory
// without its content.
func TestWriteTreeSkipsPseudoFilesystems(t *testing.T) {
	hdrs, _ := treeEntries(t, "/", "proc", "proc")
	if len(hdrs) != 1 || hdrs["proc/"] == nil {
		var names []string
		for n := range hdrs {
			names = append(names, n)
			if len(names) > 5 {
				break
			}
		}
		t.Errorf("/proc: %d entries (%q...), want the directory only", len(hdrs), names)
	}
}

// TestWriteTreeRefusesKernelFiles: a file of /proc is not read.
func TestWriteTreeRefusesKernelFiles(t *testing.T) {
	fd, err := unix.Open("/proc/self", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	err = WriteTree(context.Background(), io.Discard, fd, "status", "status")
	if !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("WriteTree of /proc/self/status: %v, want ErrInvalidArgument", err)
	}
}

// TestOpenSameRefusesASwap: an entry replaced by a symlink between its
// lstat and its open (the CVE-2018-15664 race, made deterministic) is
// not opened.
func TestOpenSameRefusesASwap(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, "d", &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	// Swap: d becomes a symlink to "/", then a directory again (another
	// inode).
	os.Rename(filepath.Join(dir, "d"), filepath.Join(dir, "old"))
	os.Symlink("/", filepath.Join(dir, "d"))
	if fd, err := openSame(dfd, "d", "d", &st, unix.O_RDONLY|unix.O_DIRECTORY); err == nil {
		unix.Close(fd)
		t.Fatal("a symlink swapped in was opened")
	}
	os.Remove(filepath.Join(dir, "d"))
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	if fd, err := openSame(dfd, "d", "d", &st, unix.O_RDONLY|unix.O_DIRECTORY); err == nil || !strings.Contains(err.Error(), "changed") {
		if err == nil {
			unix.Close(fd)
		}
		t.Fatalf("another directory swapped in: %v", err)
	}
}

func TestRewrite(t *testing.T) {
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	for _, n := range []string{"keep", "drop", "chown"} {
		tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Size: int64(len(n)), Mode: 0o644, Format: tar.FormatUSTAR})
		io.WriteString(tw, n)
	}
	tw.Close()
	var out bytes.Buffer
	err := Rewrite(context.Background(), &out, &in, func(h *tar.Header) (bool, error) {
		if h.Name == "chown" {
			h.Uid = 1 << 30 // more than USTAR holds: the writer must switch format
		}
		return h.Name != "drop", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&out)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got = append(got, h.Name+"="+string(b))
		if h.Name == "chown" && h.Uid != 1<<30 {
			t.Errorf("uid %d", h.Uid)
		}
	}
	if !slices.Equal(got, []string{"keep=keep", "chown=chown"}) {
		t.Errorf("rewritten %q", got)
	}
	if err := Rewrite(context.Background(), io.Discard, strings.NewReader("not a tar, but long enough to have a header block..."+strings.Repeat("x", 600)),
		func(*tar.Header) (bool, error) { return true, nil }); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("garbage: %v", err)
	}
}
