package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCpArg(t *testing.T) {
	for _, c := range []struct{ arg, container, path string }{
		{"ctr:/etc/hosts", "ctr", "/etc/hosts"},
		{"ctr:etc", "ctr", "etc"},
		{"ctr:", "ctr", ""},
		{"-", "", "-"},
		{"/abs/with:colon", "", "/abs/with:colon"},
		{"./rel:colon", "", "./rel:colon"},
		{"../up", "", "../up"},
		{"plain", "", "plain"},
		{"a:b:c", "a", "b:c"},
	} {
		if ctr, p := cpArg(c.arg); ctr != c.container || p != c.path {
			t.Errorf("cpArg(%q) = %q, %q; want %q, %q", c.arg, ctr, p, c.container, c.path)
		}
	}
}

func TestCopiesContent(t *testing.T) {
	for p, want := range map[string]bool{"dir/.": true, ".": true, "/.": true, "dir": false, "dir/": false, "dir/..": false} {
		if got := copiesContent(p); got != want {
			t.Errorf("copiesContent(%q) = %v", p, got)
		}
	}
}

// cpTarOf writes headers (with bodies for regular files) as a tar.
func cpTarOf(t *testing.T, entries ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = "body of " + h.Name
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, body)
	}
	tw.Close()
	return buf.Bytes()
}

// TestHostExtractStaysInside extracts a hostile tar, as a container could
// send one to `cp CONTAINER:PATH DEST`, and checks that everything lands
// under the destination, renamed, with the entries outside the copied
// path and the device nodes left out.
func TestHostExtractStaysInside(t *testing.T) {
	base := t.TempDir()
	parent := filepath.Join(base, "parent")
	root := filepath.Join(parent, "dest")
	outside := filepath.Join(base, "outside")
	os.MkdirAll(root, 0o755)
	os.Mkdir(outside, 0o755)
	data := cpTarOf(t,
		&tar.Header{Typeflag: tar.TypeDir, Name: "src/", Mode: 0o755},
		&tar.Header{Typeflag: tar.TypeReg, Name: "src/file"},
		&tar.Header{Typeflag: tar.TypeReg, Name: "src/../../outside/dotdot"},
		&tar.Header{Typeflag: tar.TypeReg, Name: filepath.Join(outside, "abs")},
		&tar.Header{Typeflag: tar.TypeSymlink, Name: "src/esc", Linkname: outside},
		&tar.Header{Typeflag: tar.TypeSymlink, Name: "src/up", Linkname: "../../../../.."},
		&tar.Header{Typeflag: tar.TypeReg, Name: "src/up/" + strings.TrimPrefix(outside, "/") + "/uplink"},
		&tar.Header{Typeflag: tar.TypeSymlink, Name: "src/parent", Linkname: ".."},
		&tar.Header{Typeflag: tar.TypeReg, Name: "src/parent/sibling"},
		&tar.Header{Typeflag: tar.TypeChar, Name: "src/null", Devmajor: 1, Devminor: 3},
		&tar.Header{Typeflag: tar.TypeBlock, Name: "src/disk", Devmajor: 8, Devminor: 0},
		&tar.Header{Typeflag: tar.TypeLink, Name: "src/hard", Linkname: "src/file"},
		&tar.Header{Typeflag: tar.TypeLink, Name: "src/hardout", Linkname: "other/file"},
		&tar.Header{Typeflag: tar.TypeReg, Name: "other/file"},
	)
	var warn bytes.Buffer
	var top tar.Header
	x := hostExtract{root: root, from: "src", to: ".", warn: &warn, top: &top}
	if _, err := x.extract(context.Background(), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(outside); len(names) != 0 {
		t.Fatalf("ESCAPE: files written outside the destination: %v", names)
	}
	if names, _ := os.ReadDir(parent); len(names) != 1 {
		t.Fatalf("ESCAPE: files written beside the destination: %v", names)
	}
	if top.Typeflag != tar.TypeDir || top.Mode != 0o755 {
		t.Errorf("the top directory's header was not handed back: %+v", top)
	}
	var got []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(root, p)
			got = append(got, rel)
		}
		return nil
	})
	outsideRel := strings.TrimPrefix(outside, "/")
	for _, want := range []string{"file", "hard", "esc", outsideRel + "/uplink", "sibling"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s missing from %q", want, got)
		}
	}
	for _, not := range []string{"null", "disk", "hardout", "other", "src"} {
		if slices.Contains(got, not) {
			t.Errorf("%s should have been left out: %q", not, got)
		}
	}
	if !strings.Contains(warn.String(), "2 device node(s) left out") {
		t.Errorf("warning %q", warn.String())
	}

	// A file through a symlink that leads out of the destination (and
	// nowhere inside it): refused, nothing written outside.
	os.RemoveAll(root)
	os.Mkdir(root, 0o755)
	data = cpTarOf(t,
		&tar.Header{Typeflag: tar.TypeSymlink, Name: "src/esc2", Linkname: outside},
		&tar.Header{Typeflag: tar.TypeReg, Name: "src/esc2/through"},
	)
	if _, err := x.extract(context.Background(), bytes.NewReader(data)); err == nil {
		t.Errorf("a file through a symlink out of the destination was accepted")
	}
	if names, _ := os.ReadDir(outside); len(names) != 0 {
		t.Fatalf("ESCAPE: files written outside the destination: %v", names)
	}

	// A single file: entries below its name are not taken.
	os.RemoveAll(root)
	os.Mkdir(root, 0o755)
	data = cpTarOf(t,
		&tar.Header{Typeflag: tar.TypeReg, Name: "file"},
		&tar.Header{Typeflag: tar.TypeReg, Name: "file/x"},
		&tar.Header{Typeflag: tar.TypeReg, Name: "other"},
	)
	x = hostExtract{root: root, from: "file", to: "renamed", single: true}
	if _, err := x.extract(context.Background(), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(root); len(names) != 1 || names[0].Name() != "renamed" || !names[0].Type().IsRegular() {
		t.Errorf("a single file's copy made %v", names)
	}
}

// TestHostTarRoundTrip writes a local tree as cp sends it and reads it
// back: names under the given top name, symlinks kept, hard links as
// links, -L following only the top.
func TestHostTarRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "sub", "f"), []byte("f\n"), 0o600)
	os.Link(filepath.Join(src, "sub", "f"), filepath.Join(src, "hard"))
	os.Symlink("sub/f", filepath.Join(src, "link"))
	os.Symlink("tree", filepath.Join(dir, "toplink"))

	list := func(h hostTar) map[string]*tar.Header {
		var buf bytes.Buffer
		if _, err := h.write(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		out := map[string]*tar.Header{}
		tr := tar.NewReader(&buf)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out[hdr.Name] = hdr
		}
	}
	got := list(hostTar{src: src, name: "copy"})
	if got["copy/"] == nil || got["copy/sub/f"] == nil || got["copy/sub/f"].Mode&0o777 != 0o600 {
		t.Errorf("entries %v", got)
	}
	if l := got["copy/link"]; l == nil || l.Typeflag != tar.TypeSymlink || l.Linkname != "sub/f" {
		t.Errorf("symlink %+v", l)
	}
	if l := got["copy/sub/f"]; l == nil || l.Typeflag != tar.TypeLink || l.Linkname != "copy/hard" {
		t.Errorf("hard link %+v (the first name in lexical order holds the content)", l)
	}
	if content := list(hostTar{src: src, name: "."}); content["./"] != nil || content["sub/f"] == nil && content["./sub/f"] == nil {
		t.Errorf("content only: %v", content)
	}
	if top := list(hostTar{src: filepath.Join(dir, "toplink"), name: "t"}); top["t"] == nil || top["t"].Typeflag != tar.TypeSymlink {
		t.Errorf("without -L the top symlink is sent: %v", top)
	}
	if top := list(hostTar{src: filepath.Join(dir, "toplink"), name: "t", followTop: true}); top["t/"] == nil || top["t/sub/f"] == nil {
		t.Errorf("with -L the top symlink is followed: %v", top)
	}
}

// FuzzHostExtractRename checks the renaming every entry of a container's
// tar goes through before archive.Extract (itself fuzzed in
// internal/archive) sees it: whatever the name, it is dropped or becomes a
// clean local path at or below the destination name, never above it.
func FuzzHostExtractRename(f *testing.F) {
	for _, s := range []string{"src", "src/a", "src/../../x", "/src/a", "../src/a", "srcx/a", "src/./a//b/", "", ".", "..",
		"a/../src/b", strings.Repeat("../", 20) + "src/x"} {
		f.Add(s, "src", "dest", false)
	}
	f.Add("anything/x", ".", ".", false)
	f.Add("src", "src", "renamed", true)
	f.Fuzz(func(t *testing.T, name, from, to string, single bool) {
		from = strings.TrimPrefix(path.Clean("/"+from), "/")
		if from == "" {
			from = "."
		}
		if to != "." {
			to = strings.ReplaceAll(to, "/", "")
			if to == "" || to == ".." {
				to = "dest"
			}
		}
		x := hostExtract{from: from, to: to, single: single}
		got, ok := x.rename(name)
		if !ok {
			return
		}
		if !filepath.IsLocal(got) && got != "." || path.Clean(got) != got {
			t.Fatalf("rename(%q) from %q to %q = %q: not a clean local path", name, from, to, got)
		}
		if to != "." && got != to && !strings.HasPrefix(got, to+"/") {
			t.Fatalf("rename(%q) from %q to %q = %q: outside %q", name, from, to, got, to)
		}
		if single && got != to {
			t.Fatalf("rename(%q) of a single file from %q to %q = %q", name, from, to, got)
		}
	})
}
