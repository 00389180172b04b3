package main

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
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/builder"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// recorder collects published events.
type recorder struct {
	mu     sync.Mutex
	events []api.Event
}

func (r *recorder) Publish(e api.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Action)
	}
	return out
}

// newImageService opens a store in a temp dir.
func newImageService(t testing.TB) (*imageService, *recorder) {
	t.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: the store keeps file ownership")
	}
	st, err := image.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st.GCGrace = 0
	t.Cleanup(func() { st.Close() })
	rec := &recorder{}
	return &imageService{Store: st, Events: rec}, rec
}

// rootfsTar is a tiny root filesystem.
func rootfsTar(t testing.TB, content string) io.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime})
	tw.WriteHeader(&tar.Header{Name: "etc/hello", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content)), ModTime: mtime})
	tw.Write([]byte(content))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestImageService(t *testing.T) {
	s, rec := newImageService(t)
	ctx := context.Background()
	var progress strings.Builder
	id, err := s.Import(ctx, rootfsTar(t, "hi\n"), "rootfs:1", &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "sha256:") || !strings.Contains(progress.String(), "Imported") {
		t.Fatalf("id %q, progress %q", id, progress.String())
	}

	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != id || !slices.Equal(list[0].Names, []string{"rootfs:1"}) || list[0].Size == 0 {
		t.Fatalf("List: %+v, %v", list, err)
	}
	insp, err := s.Inspect(ctx, "rootfs:1")
	if err != nil || len(insp.Layers) != 1 || insp.OS != "linux" || len(insp.Config.Env) == 0 {
		t.Fatalf("Inspect: %+v, %v", insp, err)
	}
	hist, err := s.History(ctx, id)
	if err != nil || len(hist) != 1 || !strings.Contains(hist[0].CreatedBy, "import") {
		t.Fatalf("History: %+v, %v", hist, err)
	}
	if _, err := s.Inspect(ctx, "nope"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("Inspect of a missing image: %v", err)
	}

	if err := s.Tag(ctx, "rootfs:1", "other"); err != nil {
		t.Fatal(err)
	}
	var tarball bytes.Buffer
	if err := s.Export(ctx, "other", &tarball); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(tarball.Bytes(), []byte("hi\n")) {
		t.Fatal("the export lacks the file's content")
	}
	du, err := s.DiskUsage(ctx)
	if err != nil || du.LayersSize == 0 || du.ImagesSize != du.LayersSize {
		t.Fatalf("DiskUsage: %+v, %v", du, err)
	}

	// In use: prune keeps it, remove refuses it.
	inUse := true
	s.Store.InUse = func(digest.Digest) bool { return inUse }
	if rep, err := s.Prune(ctx, true); err != nil || len(rep.Deleted) != 0 {
		t.Fatalf("Prune of an image in use: %+v, %v", rep, err)
	}
	if _, err := s.Remove(ctx, id, false); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("Remove of an image in use: %v", err)
	}
	inUse = false
	rep, err := s.Prune(ctx, true)
	if err != nil || !slices.Contains(rep.Deleted, id) || rep.SpaceReclaimed == 0 {
		t.Fatalf("Prune all: %+v, %v", rep, err)
	}
	if list, _ := s.List(ctx); len(list) != 0 {
		t.Fatalf("images left after prune: %+v", list)
	}
	// Docker's: untag for each name the prune takes away, then delete.
	want := []string{"import", "tag", "untag", "untag", "delete"}
	if got := rec.actions(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestBuildWithoutBuilder(t *testing.T) {
	s, _ := newImageService(t)
	if _, err := s.Build(context.Background(), api.BuildRequest{Dockerfile: "/x"}, io.Discard); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("Build without a builder: %v", err)
	}
}

func TestBuildWithoutRun(t *testing.T) {
	s, rec := newImageService(t)
	s.Builder = &builder.Builder{Store: s.Store}
	ctx := context.Background()
	if _, err := s.Import(ctx, rootfsTar(t, "hi\n"), "rootfs", io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM rootfs\nENV GREETING=hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	id, err := s.Build(ctx, api.BuildRequest{Tags: []string{"app:v1"}, Dockerfile: df}, &progress)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, progress.String())
	}
	if !strings.Contains(progress.String(), "Step 2/2") {
		t.Fatalf("progress %q", progress.String())
	}
	insp, err := s.Inspect(ctx, "app:v1")
	if err != nil || insp.ID != id || !slices.Contains(insp.Config.Env, "GREETING=hello") {
		t.Fatalf("built image: %+v, %v", insp, err)
	}
	if got := rec.actions(); !slices.Equal(got, []string{"import", "build"}) {
		t.Fatalf("events %v", got)
	}
}
