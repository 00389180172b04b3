package image

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/snapshot"
)

// TestCommitOverlayUpper is the builder's RUN path: mount an image's layers
// with a staged layer as the upper directory, change files through the
// mount, unmount, commit. The new layer must record deletions as whiteouts
// so that the image built on it shows exactly the changes.
func TestCommitOverlayUpper(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	base := commitLayer(t, ctx, s, "etc/keep", "k", "etc/remove", "r", "var/cache/", "", "var/cache/a", "a", "var/cache/b", "b")
	parent := createImage(t, s, "parent", []digest.Digest{base.DiffID}, "parent")

	w, err := s.NewLayer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	merged := filepath.Join(t.TempDir(), "rootfs")
	if err := os.Mkdir(merged, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Mount(ctx, merged, s.LowerDirs(parent.Layers), w.Dir(), w.WorkDir()); err != nil {
		t.Fatal(err)
	}
	mounted := true
	defer func() {
		if mounted {
			snapshot.Unmount(merged)
		}
	}()
	// What "RUN rm /etc/remove && rm -rf /var/cache && mkdir /var/cache
	// && echo new > /var/cache/c && echo added > /etc/added" does.
	steps := []func() error{
		func() error { return os.Remove(filepath.Join(merged, "etc/remove")) },
		func() error { return os.RemoveAll(filepath.Join(merged, "var/cache")) },
		func() error { return os.Mkdir(filepath.Join(merged, "var/cache"), 0o755) },
		func() error { return os.WriteFile(filepath.Join(merged, "var/cache/c"), []byte("new"), 0o644) },
		func() error { return os.WriteFile(filepath.Join(merged, "etc/added"), []byte("added"), 0o644) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := snapshot.Unmount(merged); err != nil {
		t.Fatal(err)
	}
	mounted = false
	layer, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	child := createImage(t, s, "child", append(parent.Layers, layer.DiffID), "child")

	var out bytes.Buffer
	if err := s.Export(ctx, child.ID.String(), &out); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := extractPlain(out.Bytes(), dir); err != nil {
		t.Fatal(err)
	}
	want := []string{"etc/", "etc/added=added", "etc/keep=k", "var/", "var/cache/", "var/cache/c=new"}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("child image shows %q, want %q", got, want)
	}
	// The parent is untouched.
	out.Reset()
	if err := s.Export(ctx, "parent", &out); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	extractPlain(out.Bytes(), dir)
	want = []string{"etc/", "etc/keep=k", "etc/remove=r", "var/", "var/cache/", "var/cache/a=a", "var/cache/b=b"}
	if got := listFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("parent image shows %q, want %q", got, want)
	}
	// The layer's tar has the OCI whiteouts other tools expect: a deleted
	// file, and an opaque directory for the one removed and made again.
	var diff bytes.Buffer
	if err := archive.WriteDiff(ctx, &diff, s.LayerDir(layer.DiffID)); err != nil {
		t.Fatal(err)
	}
	if digest.FromBytes(diff.Bytes()) != layer.DiffID {
		t.Errorf("the layer's tar does not have its DiffID")
	}
	names := map[string]bool{}
	tr := tar.NewReader(&diff)
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		names[h.Name] = true
	}
	for _, n := range []string{"etc/.wh.remove", "var/cache/.wh..wh..opq", "var/cache/c", "etc/added"} {
		if !names[n] {
			t.Errorf("layer tar lacks %s (has %v)", n, names)
		}
	}
}
