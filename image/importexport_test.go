package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/snapshot"
)

func gzipped(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportExportRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	owned := tFile("home/user/.profile", "export A=1\n", 0o600)
	owned.hdr.Uid, owned.hdr.Gid = 1000, 1000
	suid := tFile("usr/bin/tool", "#!/bin/sh\n", 0o4755)
	rootfs := makeTar(t,
		tDir("bin/", 0o755), tFile("bin/sh", "ELF", 0o755), tSymlink("bin/bash", "sh"),
		tDir("etc/", 0o755), tFile("etc/hostname", "box\n", 0o644), tLink("etc/hostname.bak", "etc/hostname"),
		tDir("home/", 0o755), tDir("home/user/", 0o750), owned,
		tDir("usr/", 0o755), tDir("usr/bin/", 0o755), suid,
		tDir("tmp/", 0o1777),
	)
	img, err := s.Import(ctx, bytes.NewReader(gzipped(t, rootfs)), "imported:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 1 || img.Names[0] != "imported:1" || img.Config.Config.Env[0] != "PATH="+DefaultPath {
		t.Errorf("imported image %+v", img)
	}
	if img.Layers[0] != digest.FromBytes(rootfs) {
		t.Errorf("layer DiffID %s is not the digest of the uncompressed tar", img.Layers[0])
	}
	var out bytes.Buffer
	if err := s.Export(ctx, "imported:1", &out); err != nil {
		t.Fatal(err)
	}
	if got, want := tarListing(t, out.Bytes()), tarListing(t, rootfs); !reflect.DeepEqual(got, want) {
		t.Errorf("export differs from the import:\n got %q\nwant %q", got, want)
	}
	// Importing the export again gives an identical filesystem.
	again, err := s.Import(ctx, bytes.NewReader(out.Bytes()), "")
	if err != nil {
		t.Fatal(err)
	}
	var out2 bytes.Buffer
	if err := s.Export(ctx, again.ID.String(), &out2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), out2.Bytes()) {
		t.Errorf("export of the re-import differs")
	}
	if len(again.Names) != 0 {
		t.Errorf("import without a name got names %v", again.Names)
	}
}

func TestImportRejectsEscapes(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	outside := filepath.Join(filepath.Dir(s.Root()), "outside")
	cases := map[string][]byte{
		"hardlink out":  makeTar(t, tLink("stolen", "../../../../../../etc/shadow-not-here")),
		"whiteout ..":   makeTar(t, tFile("etc/.wh...", "", 0o644)),
		"symlink chain": makeTar(t, tSymlink("esc", outside), tFile("esc/pwned", "x", 0o644)),
		"truncated":     makeTar(t, tFile("f", "content", 0o644))[:515],
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := s.Import(ctx, bytes.NewReader(data), "evil")
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("Import = %v, want ErrInvalidArgument", err)
			}
			if _, err := s.Image(ctx, "evil"); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("an image was registered: %v", err)
			}
			if ls, _ := s.Layers(ctx); len(ls) != 0 {
				t.Errorf("layers registered: %v", ls)
			}
			if left := dirEntries(t, s.tmpDir()); len(left) != 0 {
				t.Errorf("staging leftovers: %v", left)
			}
			if _, err := os.Lstat(outside); !os.IsNotExist(err) {
				t.Errorf("something was written outside the store: %v", err)
			}
		})
	}
}

// TestApplyTarLayersAndExport applies a Docker-style layer stack (the upper
// layer deletes and hides with .wh. entries) and checks that Export shows
// what an overlay mount of the layers shows.
func TestApplyTarLayersAndExport(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l1, err := s.ApplyTar(ctx, bytes.NewReader(gzipped(t, makeTar(t,
		tDir("etc/", 0o755), tFile("etc/a", "a1", 0o644), tFile("etc/gone", "g", 0o644),
		tDir("var/", 0o755), tDir("var/lib/", 0o755), tFile("var/lib/old", "old", 0o644),
	))))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.ApplyTar(ctx, bytes.NewReader(makeTar(t,
		tDir("etc/", 0o755), tFile("etc/a", "a2", 0o644), tFile("etc/.wh.gone", "", 0),
		tDir("var/lib/", 0o755), tFile("var/lib/.wh..wh..opq", "", 0), tFile("var/lib/new", "new", 0o644),
	)))
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(s.LayerDir(l2.DiffID), "etc/gone"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("etc/gone in the upper layer is not an overlay whiteout (%v)", err)
	}
	img := createImage(t, s, "stack", []digest.Digest{l1.DiffID, l2.DiffID}, "stack")

	var out bytes.Buffer
	if err := s.Export(ctx, "stack", &out); err != nil {
		t.Fatal(err)
	}
	exported := t.TempDir()
	if err := extractPlain(out.Bytes(), exported); err != nil {
		t.Fatal(err)
	}
	want := []string{"etc/", "etc/a=a2", "var/", "var/lib/", "var/lib/new=new"}
	if got := listFiles(t, exported); !reflect.DeepEqual(got, want) {
		t.Errorf("exported tree %q, want %q", got, want)
	}

	merged := filepath.Join(t.TempDir(), "merged")
	if err := os.Mkdir(merged, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Mount(ctx, merged, s.LowerDirs(img.Layers), "", ""); err != nil {
		t.Fatal(err)
	}
	defer snapshot.Unmount(merged)
	if got := listFiles(t, merged); !reflect.DeepEqual(got, want) {
		t.Errorf("overlay shows %q, export shows %q", got, want)
	}
}

func extractPlain(data []byte, dir string) error {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			return nil
		}
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			var b bytes.Buffer
			b.ReadFrom(tr)
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
}

// listFiles lists dir as "path/" and "path=content".
func listFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out = append(out, rel+"/")
			return nil
		}
		b, _ := os.ReadFile(p)
		out = append(out, rel+"="+string(b))
		return nil
	})
	sort.Strings(out)
	return out
}
