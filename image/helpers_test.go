package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: layers keep ownership, whiteouts are devices and opaque markers trusted.* xattrs")
	}
}

// newStore opens a store in a temporary directory, closed at cleanup, with
// no GC grace so tests see GC's decisions at once.
func newStore(tb testing.TB) *Store {
	tb.Helper()
	requireRoot(tb)
	s, err := Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	s.GCGrace = 0
	tb.Cleanup(func() { s.Close() })
	return s
}

// fixtureTime is the mtime of fixture files, so digests do not depend on
// when the test ran.
func fixtureTime() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }

// writeFiles creates files ("path" -> content; a path ending in "/" is a
// directory) under dir, in the order given, and sets every mtime to
// fixtureTime.
func writeFiles(tb testing.TB, dir string, files ...string) {
	tb.Helper()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if files[i][len(files[i])-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	touchTree(tb, dir)
}

func touchTree(tb testing.TB, dir string) {
	tb.Helper()
	var paths []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		paths = append(paths, p)
		return nil
	})
	ts := []unix.Timespec{unix.NsecToTimespec(fixtureTime().UnixNano()), unix.NsecToTimespec(fixtureTime().UnixNano())}
	for i := len(paths) - 1; i >= 0; i-- {
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, paths[i], ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			tb.Fatal(err)
		}
	}
}

// commitLayer commits a layer holding files (see writeFiles).
func commitLayer(tb testing.TB, ctx context.Context, s *Store, files ...string) Layer {
	tb.Helper()
	w, err := s.NewLayer(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	writeFiles(tb, w.Dir(), files...)
	l, err := w.Commit(ctx)
	if err != nil {
		w.Abort()
		tb.Fatalf("Commit: %v", err)
	}
	return l
}

// createImage registers an image of layers with a config telling it apart.
func createImage(tb testing.TB, s *Store, label string, layers []digest.Digest, names ...string) Image {
	tb.Helper()
	img, err := s.CreateImage(context.Background(), Image{
		Layers:  layers,
		Created: fixtureTime(),
		Config:  ocispec.Image{Config: ocispec.ImageConfig{Labels: map[string]string{"test": label}}},
	}, names...)
	if err != nil {
		tb.Fatalf("CreateImage(%s): %v", label, err)
	}
	return img
}

// tarSpec is one entry of a test tar stream.
type tarSpec struct {
	hdr     tar.Header
	content string
}

// makeTar builds a tar stream; entries without a time get fixtureTime.
func makeTar(tb testing.TB, entries ...tarSpec) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		if h.ModTime.IsZero() {
			h.ModTime = fixtureTime()
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.content))
		}
		if err := tw.WriteHeader(&h); err != nil {
			tb.Fatal(err)
		}
		io.WriteString(tw, e.content)
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func tDir(name string, mode int64) tarSpec {
	return tarSpec{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode}}
}

func tFile(name, content string, mode int64) tarSpec {
	return tarSpec{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode}, content: content}
}

func tSymlink(name, target string) tarSpec {
	return tarSpec{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}}
}

func tLink(name, target string) tarSpec {
	return tarSpec{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target}}
}

// tarListing describes every entry of a tar stream: type, name, mode,
// owner, mtime, link target, content.
func tarListing(tb testing.TB, data []byte) []string {
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
		b, _ := io.ReadAll(tr)
		mode := strconv.FormatInt(h.Mode, 8)
		if h.Typeflag == tar.TypeLink {
			mode = "-" // a hard link has its target's mode
		}
		out = append(out, string(h.Typeflag)+" "+h.Name+" "+mode+" "+
			strconv.Itoa(h.Uid)+":"+strconv.Itoa(h.Gid)+" "+h.ModTime.UTC().Format(time.RFC3339)+" "+h.Linkname+" "+string(b))
	}
	sort.Strings(out)
	return out
}

// dirEntries lists the names in dir.
func dirEntries(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
