package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// testTime is the mtime the fixtures use, so digests do not depend on when
// the test ran.
func testTime() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }

// tarEntry describes one entry of a test archive.
type tarEntry struct {
	hdr     tar.Header
	content string
}

func dirE(name string, mode int64) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: testTime()}}
}

func fileE(name, content string, mode int64) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(content)), ModTime: testTime()}, content: content}
}

func symlinkE(target, name string) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: testTime()}}
}

func linkE(target, name string) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, ModTime: testTime()}}
}

// makeTar builds a tar stream from entries.
func makeTar(tb testing.TB, entries ...tarEntry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		if h.Uid == 0 && h.Gid == 0 {
			h.Uid, h.Gid = os.Getuid(), os.Getgid()
		}
		if err := tw.WriteHeader(&h); err != nil {
			tb.Fatalf("writing header %s: %v", h.Name, err)
		}
		if _, err := tw.Write([]byte(e.content)); err != nil {
			tb.Fatalf("writing %s: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// treeState records every entry under root (type, mode, size, content hash
// proxy, link target), to detect any change made to it.
func treeState(tb testing.TB, root string) map[string]string {
	tb.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		state[p], err = describe(p, fi)
		return err
	})
	if err != nil {
		tb.Fatalf("walking %s: %v", root, err)
	}
	return state
}

// describe is what treeState records of the entry p: its mode, mtime, and
// its content or link target.
func describe(p string, fi fs.FileInfo) (string, error) {
	desc := fi.Mode().String() + " " + fi.ModTime().UTC().String()
	switch {
	case fi.Mode().IsRegular():
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		desc += " " + string(b)
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		desc += " -> " + t
	}
	return desc, nil
}

// listTree returns "path type" lines for dir, for comparing trees.
func listTree(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		line := rel + " " + fs.FileMode(st.Mode&0o777).String()
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += " file:" + string(b)
		case unix.S_IFDIR:
			line += " dir"
		case unix.S_IFLNK:
			t, _ := os.Readlink(p)
			line += " link:" + t
		case unix.S_IFCHR:
			line += " chr"
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// readTarNames lists the entry names and types of a tar stream.
func readTarNames(tb testing.TB, data []byte) []string {
	tb.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		s := string(h.Typeflag) + " " + h.Name
		if h.Linkname != "" {
			s += " -> " + h.Linkname
		}
		out = append(out, s)
	}
	return out
}

func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: whiteouts are character devices and opaque markers trusted.* xattrs")
	}
}

func isWhiteoutAt(tb testing.TB, p string) bool {
	tb.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return false
	}
	return isWhiteout(&st)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
