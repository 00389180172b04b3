package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarOf makes an archive of entries (a "-> target" content is a symlink).
func tarOf(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e[0], Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e[1]))}
		if target, ok := strings.CutPrefix(e[1], "-> "); ok {
			h = &tar.Header{Name: e[0], Typeflag: tar.TypeSymlink, Linkname: target}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e[1]))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// TestStdinContext reads `build -`'s stdin: a tar or gzipped tar is
// unpacked, text is a Dockerfile, and hostile archives are refused
// without writing outside the new directory.
func TestStdinContext(t *testing.T) {
	good := tarOf(t, [][2]string{{"Dockerfile", "FROM x\n"}, {"a/b", "b\n"}, {"link", "-> /etc"}})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	for name, in := range map[string][]byte{"tar": good, "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			dir, df, cleanup, err := stdinContext(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			if df != "" {
				t.Errorf("an archive read as a Dockerfile")
			}
			if b, err := os.ReadFile(filepath.Join(dir, "a/b")); err != nil || string(b) != "b\n" {
				t.Errorf("a/b = %q, %v", b, err)
			}
			if l, err := os.Readlink(filepath.Join(dir, "link")); err != nil || l != "/etc" {
				t.Errorf("link = %q, %v (kept as it is)", l, err)
			}
		})
	}
	t.Run("text is a Dockerfile", func(t *testing.T) {
		dir, df, cleanup, err := stdinContext(strings.NewReader("FROM busybox\n"))
		if err != nil {
			t.Fatal(err)
		}
		defer cleanup()
		if entries, _ := os.ReadDir(dir); df != "FROM busybox\n" || len(entries) != 0 {
			t.Errorf("Dockerfile %q, context %v: want the text and an empty context", df, entries)
		}
	})
	outside := t.TempDir()
	for name, entries := range map[string][][2]string{
		"dot-dot":         {{"../escape", "x"}},
		"absolute":        {{"/" + filepath.Join(outside, "abs"), "x"}},
		"through symlink": {{"l", "-> " + outside}, {"l/through", "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, cleanup, err := stdinContext(bytes.NewReader(tarOf(t, entries)))
			if err == nil {
				cleanup()
				t.Errorf("a hostile archive was unpacked")
			}
			if left, _ := os.ReadDir(outside); len(left) != 0 {
				t.Errorf("the archive wrote outside its directory: %v", left)
			}
		})
	}
}
