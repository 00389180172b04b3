package builder

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name, body, link string
	typ              byte
	mode             int64
	major            int64
}

// writeTar writes entries as a tar archive, gzipped if gz.
func writeTar(tb testing.TB, file string, gz bool, entries ...tarEntry) {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: mode, Linkname: e.link, Size: int64(len(e.body)),
			ModTime: time.Unix(1700000000, 0), Uid: 5, Gid: 6, Devmajor: e.major, Format: tar.FormatPAX}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			tb.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	data := buf.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		data = z.Bytes()
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestAddExtractsLocalArchives(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, "FROM busybox\nADD app.tar.gz /opt/\nADD plain.tar /plain\nADD notes.txt /notes.txt\n",
		map[string]string{"notes.txt": "not an archive\n"})
	writeTar(t, filepath.Join(dir, "app.tar.gz"), true,
		tarEntry{name: "app/", typ: tar.TypeDir, mode: 0o750},
		tarEntry{name: "app/run.sh", typ: tar.TypeReg, body: "#!/bin/sh\n", mode: 0o755},
		tarEntry{name: "app/link", typ: tar.TypeSymlink, link: "run.sh"},
		tarEntry{name: "app/hard", typ: tar.TypeLink, link: "app/run.sh"},
		tarEntry{name: "/abs.txt", typ: tar.TypeReg, body: "abs\n"},
	)
	writeTar(t, filepath.Join(dir, "plain.tar"), false, tarEntry{name: "p.txt", typ: tar.TypeReg, body: "p\n"})
	img, _ := e.mustBuild(t, Options{ContextDir: dir})
	if got := e.readFile(t, img, "/opt/app/run.sh"); got != "#!/bin/sh\n" {
		t.Errorf("run.sh = %q", got)
	}
	if got := e.readFile(t, img, "/opt/app/link"); got != "#!/bin/sh\n" {
		t.Errorf("link = %q", got)
	}
	if got := e.readFile(t, img, "/opt/app/hard"); got != "#!/bin/sh\n" {
		t.Errorf("hard = %q", got)
	}
	if got := e.readFile(t, img, "/opt/abs.txt"); got != "abs\n" {
		t.Errorf("an absolute entry name went elsewhere: %q", got)
	}
	if fi := e.lstat(img, "/opt/app"); fi == nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("/opt/app mode %v", fi)
	} else if uid, gid := ownerOf(fi); uid != 5 || gid != 6 {
		t.Errorf("/opt/app owner %d:%d, want the archive's 5:6", uid, gid)
	}
	if got := e.readFile(t, img, "/plain/p.txt"); got != "p\n" {
		t.Errorf("plain tar: %q", got)
	}
	if got := e.readFile(t, img, "/notes.txt"); got != "not an archive\n" {
		t.Errorf("notes.txt = %q", got)
	}
}

func TestAddRefusesArchiveTricks(t *testing.T) {
	e := newTestEnv(t)
	hostProbe := filepath.Join(t.TempDir(), "escaped")
	tests := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"dotdot", []tarEntry{{name: "../../evil", typ: tar.TypeReg, body: "x"}}, "leaves the destination"},
		{"dotdot-inside", []tarEntry{{name: "a/../../evil", typ: tar.TypeReg, body: "x"}}, "leaves the destination"},
		{"hardlink-out", []tarEntry{{name: "h", typ: tar.TypeLink, link: "../../etc/passwd"}}, "leaves the destination"},
		{"whiteout-file", []tarEntry{{name: "bin/.wh.sh", typ: tar.TypeReg}}, "is a whiteout"},
		{"whiteout-device", []tarEntry{{name: "bin/sh", typ: tar.TypeChar}}, "overlay whiteout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newContext(t, "FROM busybox\nADD evil.tar /opt/\n", nil)
			writeTar(t, filepath.Join(dir, "evil.tar"), false, tt.entries...)
			_, _, err := e.build(t, Options{ContextDir: dir})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), ":2: ") {
				t.Errorf("error %v: want ErrInvalidArgument at line 2", err)
			}
		})
	}

	// A symlink that leaves the destination (or the image) is followed
	// inside the image, never on the host.
	dir := newContext(t, "FROM busybox\nADD tricky.tar /opt/\n", nil)
	writeTar(t, filepath.Join(dir, "tricky.tar"), false,
		tarEntry{name: "up", typ: tar.TypeSymlink, link: "../../../../../../../.." + filepath.Dir(hostProbe)},
		tarEntry{name: "up/escaped", typ: tar.TypeReg, body: "inside\n"},
		tarEntry{name: "abs", typ: tar.TypeSymlink, link: filepath.Dir(hostProbe)},
		tarEntry{name: "abs/escaped2", typ: tar.TypeReg, body: "inside2\n"},
	)
	img, _ := e.mustBuild(t, Options{ContextDir: dir})
	if _, err := os.Lstat(hostProbe); err == nil {
		t.Fatal("the archive wrote to the host")
	}
	if got := e.readFile(t, img, hostProbe); got != "inside\n" {
		t.Errorf("the entry through the symlink: %q, want it inside the image", got)
	}
}
