//go:build linux

package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// The seed corpora are in testdata/fuzz/<Target>; `go test` runs them as
// regression tests, `make fuzz` explores from them.

// FuzzCleanName checks the one function every entry name and hard link
// target goes through before it is resolved: whatever the archive says,
// the result is a clean path that stays below the extraction root, the
// same whether the name was written absolute, relative or with leading
// "..", and cleaning it again changes nothing.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "/", "a/b", "/etc/passwd", "../../etc/passwd", "a/../../b",
		"./a//b/", "a/.wh..wh..opq", ".wh...", "..a/b..", "\x00/..", "a/\xff/..", strings.Repeat("../", 40) + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c := cleanName(name)
		if !filepath.IsLocal(c) || path.Clean(c) != c {
			t.Fatalf("cleanName(%q) = %q: not a clean local path", name, c)
		}
		if j := path.Join("/root", c); j != "/root" && !strings.HasPrefix(j, "/root/") {
			t.Fatalf("cleanName(%q) = %q joins to %q, outside /root", name, c, j)
		}
		if again := cleanName(c); again != c {
			t.Fatalf("cleanName(%q) = %q but cleanName(%q) = %q", name, c, c, again)
		}
		for _, variant := range []string{"/" + name, "../" + name, "./" + name} {
			if v := cleanName(variant); v != c {
				t.Fatalf("cleanName(%q) = %q but cleanName(%q) = %q", name, c, variant, v)
			}
		}
		if target, ok := whiteoutTarget(path.Base(c)); ok {
			if target == "" || target == "." || target == ".." || strings.Contains(target, "/") {
				t.Fatalf("whiteoutTarget(%q) accepted %q", path.Base(c), target)
			}
		}
	})
}

// fuzzPrefix starts every name a fuzzed archive can create, so that an
// extractor that let one escape would leave a recognisable name (at worst
// "/crtfz-...") instead of touching a real file of the host.
const fuzzPrefix = "crtfz-"

// confine rewrites every component of p except "", "." and ".." (and the
// whiteout forms whose meaning depends on their exact spelling) to start
// with fuzzPrefix; the shape of the path, absolute or climbing, is kept.
func confine(p string) string {
	parts := strings.Split(p, "/")
	for i, c := range parts {
		switch {
		case c == "" || c == "." || c == "..":
		case strings.HasPrefix(c, WhiteoutPrefix):
			rest := strings.TrimPrefix(c, WhiteoutPrefix)
			if rest != "" && rest != "." && rest != ".." && !strings.HasPrefix(rest, WhiteoutPrefix) {
				parts[i] = WhiteoutPrefix + fuzzPrefix + rest
			}
		default:
			parts[i] = fuzzPrefix + c
		}
	}
	return strings.Join(parts, "/")
}

// fuzzTar builds a tar stream from a script of at most 64 lines, one
// entry each: "d NAME" (directory), "f NAME CONTENT" (file), "l NAME
// TARGET" (symlink), "h NAME TARGET" (hard link), "p NAME" (FIFO), "c NAME"
// (character device 1:3). Names and targets go through confine. Lines the
// tar writer refuses (a NUL in a name) are left out.
func fuzzTar(script string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	lines := strings.Split(script, "\n")
	for _, line := range lines[:min(len(lines), 64)] {
		op, rest, _ := strings.Cut(line, " ")
		name, arg, _ := strings.Cut(rest, " ")
		hdr := tar.Header{Name: confine(name), Mode: 0o644, Uid: os.Getuid(), Gid: os.Getgid(), Format: tar.FormatPAX}
		content := ""
		switch op {
		case "d":
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		case "f":
			hdr.Typeflag, content = tar.TypeReg, arg
			hdr.Size = int64(len(content))
		case "l":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, confine(arg)
		case "h":
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, confine(arg)
		case "p":
			hdr.Typeflag = tar.TypeFifo
		case "c":
			hdr.Typeflag, hdr.Devmajor, hdr.Devminor = tar.TypeChar, 1, 3
		default:
			continue
		}
		if tw.WriteHeader(&hdr) != nil {
			// The writer's state after a refused header is undefined:
			// stop here with what was written.
			break
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			break
		}
	}
	tw.Close()
	return buf.Bytes()
}

// outsideState describes everything under base except root, and every
// fuzzPrefix or whiteout name in the directories above root, so that any
// change an extraction made outside root shows as a difference. Files are
// described with their link count: a hard link made inside the root to a
// file outside it is an escape even if nothing is written through it.
func outsideState(tb testing.TB, base, root string) map[string]string {
	tb.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc, err := describe(p, fi)
		if err != nil {
			return err
		}
		// A hard link made to a victim's file shows in its link count.
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			desc += fmt.Sprintf(" nlink=%d", st.Nlink)
		}
		state[p] = desc
		return nil
	})
	if err != nil {
		tb.Fatalf("walking %s: %v", base, err)
	}
	for dir := filepath.Dir(base); ; dir = filepath.Dir(dir) {
		for _, pattern := range []string{fuzzPrefix + "*", WhiteoutPrefix + "*"} {
			m, err := filepath.Glob(filepath.Join(dir, pattern))
			if err != nil {
				tb.Fatal(err)
			}
			for _, p := range m {
				state[p] = "present"
			}
		}
		if dir == "/" {
			break
		}
	}
	return state
}

// FuzzExtract extracts fuzzer-built archives (see fuzzTar) into an empty
// root next to a victim directory that the archives' "..", absolute names,
// symlinks and hard links can name (../crtfz-victim, /crtfz-victim, ...).
// Whether the extraction succeeds or not, nothing outside the root may be
// created, changed, linked to or removed, and the root stays a directory.
// It runs without root: ownership is then left alone and device entries
// fail (which is allowed); as root they are made.
func FuzzExtract(f *testing.F) {
	f.Add("d a\nf a/b hello\nl c a\nh a/d c/b", false)
	f.Add("f ../victim/secret pwned\nf /victim/secret pwned\nh x ../victim/secret\nh y /victim/secret", false)
	f.Add("l up ../../../..\nf up/victim/secret pwned\nd up/new\nl abs /victim\nf abs/secret pwned\nh abs/link abs/secret", false)
	f.Add("l loop loop\nd loop/x\nl a b\nl b a\nf a/x y", false)
	f.Add("f .wh.victim x\nf ../.wh.victim x\nl v ../victim\nf v/.wh.secret x\nf .wh..wh..opq x\nf v/.wh..wh..opq x", true)
	f.Add("p fifo\nf fifo/x y\nc dev\nl dev2 ../victim/secret\nc dev2\nd ..\nl .. /victim\nf x y", true)
	f.Add("d victim\nf victim/secret inside\nl ../victim/s2 secret\nh ../../victim/s3 victim/secret", false)
	f.Fuzz(func(t *testing.T, script string, whiteouts bool) {
		base := t.TempDir()
		root := filepath.Join(base, "root")
		victim := filepath.Join(base, fuzzPrefix+"victim")
		for _, d := range []string{root, filepath.Join(victim, fuzzPrefix+"dir")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(victim, fuzzPrefix+"secret"), []byte("secret"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(fuzzPrefix+"secret", filepath.Join(victim, fuzzPrefix+"s2")); err != nil {
			t.Fatal(err)
		}
		before := outsideState(t, base, root)

		opts := ExtractOptions{OverlayWhiteouts: whiteouts, NoOwnership: os.Geteuid() != 0, MaxBytes: 1 << 20}
		err := Extract(context.Background(), bytes.NewReader(fuzzTar(script)), root, opts)

		after := outsideState(t, base, root)
		var changed []string
		for p, desc := range after {
			if before[p] != desc {
				changed = append(changed, p+": "+before[p]+" => "+desc)
			}
		}
		for p := range before {
			if _, ok := after[p]; !ok {
				changed = append(changed, p+": removed")
			}
		}
		if len(changed) > 0 {
			slices.Sort(changed)
			// Remove what escaped to the directories above the root:
			// every such name carries fuzzPrefix and was not there
			// before.
			for p := range after {
				if _, ok := before[p]; !ok && !strings.HasPrefix(p, base+"/") {
					os.RemoveAll(p)
				}
			}
			t.Fatalf("extraction (err: %v) changed things outside the root:\n%s", err, strings.Join(changed, "\n"))
		}
		if fi, err := os.Lstat(root); err != nil || !fi.IsDir() {
			t.Fatalf("the root is no longer a directory: %v, %v", fi, err)
		}
	})
}
