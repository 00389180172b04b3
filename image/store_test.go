package image

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	bolt "go.etcd.io/bbolt"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestOpenReopenPersists(t *testing.T) {
	requireRoot(t)
	ctx := t.Context()
	root := t.TempDir()
	s, err := Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	l := commitLayer(t, ctx, s, "etc/os-release", "test")
	img := createImage(t, s, "persist", []digest.Digest{l.DiffID}, "app:v1")
	if err := s.PutCache(ctx, CacheEntry{Key: "k", Layers: []digest.Digest{l.DiffID}, Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Image(ctx, "app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != img.ID || !reflect.DeepEqual(got.Layers, img.Layers) || !got.Created.Equal(fixtureTime()) || got.Size != l.Size {
		t.Errorf("reopened image %+v, want %+v", got, img)
	}
	if b, err := os.ReadFile(filepath.Join(s.LayerDir(l.DiffID), "etc/os-release")); err != nil || string(b) != "test" {
		t.Errorf("layer content after reopen: %q %v", b, err)
	}
	if e, err := s.Cache(ctx, "k"); err != nil || string(e.Value) != "v" {
		t.Errorf("cache entry after reopen: %+v %v", e, err)
	}
	if target, err := os.Readlink(s.LayerLink(l.DiffID)); err != nil || target != "../layers/"+l.DiffID.Encoded()+"/diff" {
		t.Errorf("short link: %q %v", target, err)
	}
}

func TestOpenTwiceIsRefused(t *testing.T) {
	s := newStore(t)
	_, err := Open(t.Context(), s.Root())
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("second Open = %v, want ErrUnavailable", err)
	}
}

func TestImageLookup(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l := commitLayer(t, ctx, s, "f", "x")
	app := createImage(t, s, "app", []digest.Digest{l.DiffID}, "app", "app:v1", "registry.local:5000/team/app:2")
	other := createImage(t, s, "other", []digest.Digest{l.DiffID}, "other:latest")
	// Two ids sharing a prefix, written directly: finding a real
	// collision of four hex digits would take hundreds of images.
	raw, _ := canonicalConfig(Image{Layers: []digest.Digest{l.DiffID}})
	for _, id := range []string{"abcd" + strings.Repeat("1", 60), "abcd" + strings.Repeat("2", 60)} {
		if err := s.db.Update(func(tx *bolt.Tx) error {
			return bucket(tx, bucketImages).Put([]byte("sha256:"+id), raw)
		}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		ref     string
		want    digest.Digest
		wantErr error
	}{
		{ref: "app", want: app.ID},
		{ref: "app:latest", want: app.ID},
		{ref: "app:v1", want: app.ID},
		{ref: "registry.local:5000/team/app:2", want: app.ID},
		{ref: "other", want: other.ID},
		{ref: app.ID.String(), want: app.ID},
		{ref: app.ID.Encoded(), want: app.ID},
		{ref: app.ID.Encoded()[:12], want: app.ID},
		{ref: "sha256:" + other.ID.Encoded()[:6], want: other.ID},
		{ref: "abcd1", want: digest.Digest("sha256:abcd" + strings.Repeat("1", 60))},
		{ref: "abcd", wantErr: errdefs.ErrInvalidArgument},       // ambiguous
		{ref: "abc", wantErr: errdefs.ErrNotFound},               // a name, and too short for an id
		{ref: "sha256:abc", wantErr: errdefs.ErrInvalidArgument}, // too short
		{ref: "app:v2", wantErr: errdefs.ErrNotFound},            // no such tag
		{ref: "ffff", wantErr: errdefs.ErrNotFound},              // no such id
		{ref: "", wantErr: errdefs.ErrInvalidArgument},           // nothing
		{ref: "Not/A/Valid:Name!", wantErr: errdefs.ErrNotFound}, // neither name nor id
		{ref: "sha256:" + strings.Repeat("9", 64), wantErr: errdefs.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			img, err := s.Image(ctx, c.ref)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Image(%q) error = %v, want %v", c.ref, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Image(%q): %v", c.ref, err)
			}
			if img.ID != c.want {
				t.Errorf("Image(%q) = %s, want %s", c.ref, img.ID, c.want)
			}
		})
	}
	if got, _ := s.Image(ctx, "app"); !reflect.DeepEqual(got.Names, []string{"app:latest", "app:v1", "registry.local:5000/team/app:2"}) {
		t.Errorf("names %v", got.Names)
	}
}

func TestCreateImageRequiresLayers(t *testing.T) {
	s := newStore(t)
	_, err := s.CreateImage(t.Context(), Image{Layers: []digest.Digest{digest.FromString("missing")}}, "x")
	if !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("CreateImage with a missing layer = %v, want ErrNotFound", err)
	}
	if _, err := s.Image(t.Context(), "x"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("the name was registered anyway: %v", err)
	}
	if _, err := s.CreateImage(t.Context(), Image{}, "Bad Name"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("invalid name accepted: %v", err)
	}
}

func TestImageConfigAndStartupCommands(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l := commitLayer(t, ctx, s, "f", "x")
	parent, err := s.CreateImage(ctx, Image{
		Layers:          []digest.Digest{l.DiffID},
		StartupCommands: [][]string{{"/bin/sh", "-c", "echo first"}},
		Config: ocispec.Image{
			Config:  ocispec.ImageConfig{Env: []string{"A=1"}, Cmd: []string{"/bin/sh"}},
			History: []ocispec.History{{CreatedBy: "FROM scratch"}, {CreatedBy: "ENTRYPOINT echo first"}},
		},
	}, "parent")
	if err != nil {
		t.Fatal(err)
	}
	if parent.Config.Config.Labels[StartupCommandsLabel] != `[["/bin/sh","-c","echo first"]]` {
		t.Errorf("label %q", parent.Config.Config.Labels[StartupCommandsLabel])
	}
	if !reflect.DeepEqual(parent.Config.RootFS.DiffIDs, parent.Layers) || parent.Config.OS != "linux" || parent.Config.Architecture == "" {
		t.Errorf("config not completed: %+v", parent.Config)
	}
	if parent.ID != digest.FromBytes(mustCanonical(t, parent)) {
		t.Errorf("id is not the digest of the config")
	}
	// A child built from the parent's config (label included) decodes the
	// inherited commands without restating them.
	childCfg := parent.Config
	childCfg.Config.Cmd = []string{"/bin/child"}
	child, err := s.CreateImage(ctx, Image{Layers: parent.Layers, Config: childCfg}, "child")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(child.StartupCommands, parent.StartupCommands) {
		t.Errorf("child startup commands %v", child.StartupCommands)
	}
	h, err := s.History(ctx, "parent")
	if err != nil || len(h) != 2 || h[1].CreatedBy != "ENTRYPOINT echo first" {
		t.Errorf("history %+v %v", h, err)
	}
	// Same config again: same id, names move, nothing duplicated.
	again, err := s.CreateImage(ctx, Image{Layers: parent.Layers, Config: childCfg}, "again")
	if err != nil || again.ID != child.ID || !reflect.DeepEqual(again.Names, []string{"again:latest", "child:latest"}) {
		t.Errorf("re-registration: %v %v %v", again.ID, again.Names, err)
	}
}

func mustCanonical(tb testing.TB, img Image) []byte {
	tb.Helper()
	b, err := canonicalConfig(img)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestTagRemoveDangling(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l := commitLayer(t, ctx, s, "f", "x")
	a := createImage(t, s, "a", []digest.Digest{l.DiffID}, "x")
	if err := s.Tag(ctx, "x", "y:1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Image(ctx, "y:1"); got.ID != a.ID {
		t.Fatalf("tag y:1 -> %s", got.ID)
	}
	// Removing one of two names only untags.
	report, err := s.Remove(ctx, "x", false)
	if err != nil || !reflect.DeepEqual(report, []string{"Untagged: x:latest"}) {
		t.Fatalf("Remove x = %v %v", report, err)
	}
	// Moving the last name to another image leaves a dangling one.
	b := createImage(t, s, "b", []digest.Digest{l.DiffID}, "y:1")
	imgs, err := s.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[digest.Digest][]string{}
	for _, i := range imgs {
		byID[i.ID] = i.Names
	}
	if len(byID) != 2 || len(byID[a.ID]) != 0 || !reflect.DeepEqual(byID[b.ID], []string{"y:1"}) {
		t.Errorf("images after the move: %v", byID)
	}
	// A dangling image is removed by id.
	report, err = s.Remove(ctx, a.ID.Encoded()[:8], false)
	if err != nil || !reflect.DeepEqual(report, []string{"Deleted: " + a.ID.String()}) {
		t.Errorf("Remove dangling = %v %v", report, err)
	}
	// By id, several names need force.
	if err := s.Tag(ctx, "y:1", "z"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, b.ID.String(), false); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("Remove by id with two names = %v, want ErrConflict", err)
	}
	report, err = s.Remove(ctx, b.ID.String(), true)
	if err != nil || !reflect.DeepEqual(report, []string{"Untagged: y:1", "Untagged: z:latest", "Deleted: " + b.ID.String()}) {
		t.Errorf("forced Remove = %v %v", report, err)
	}
	if imgs, _ := s.Images(ctx); len(imgs) != 0 {
		t.Errorf("images left: %v", imgs)
	}
	if _, err := s.Remove(ctx, "nothing", false); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Remove of a missing image = %v", err)
	}
	if err := s.Tag(ctx, "nothing", "n"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Tag of a missing image = %v", err)
	}
}

func TestRemoveInUse(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l := commitLayer(t, ctx, s, "f", "x")
	img := createImage(t, s, "used", []digest.Digest{l.DiffID}, "used")
	s.InUse = func(id digest.Digest) bool { return id == img.ID }

	if _, err := s.Remove(ctx, "used", false); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("Remove of an image in use = %v, want ErrConflict", err)
	}
	report, err := s.Remove(ctx, "used", true)
	if err != nil || !reflect.DeepEqual(report, []string{"Untagged: used:latest"}) {
		t.Fatalf("forced Remove = %v %v", report, err)
	}
	// The container keeps its image (dangling) and so its layers.
	if _, err := s.Image(ctx, img.ID.String()); err != nil {
		t.Errorf("image in use was deleted: %v", err)
	}
	if removed, _, err := s.GC(ctx); err != nil || len(removed) != 0 {
		t.Errorf("GC removed %v (%v) under a container", removed, err)
	}
	s.InUse = func(digest.Digest) bool { return false }
	report, err = s.Remove(ctx, img.ID.String(), false)
	if err != nil || !reflect.DeepEqual(report, []string{"Deleted: " + img.ID.String()}) {
		t.Errorf("Remove once unused = %v %v", report, err)
	}
}

func TestGC(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	byImage := commitLayer(t, ctx, s, "image", "1")
	byCache := commitLayer(t, ctx, s, "cache", "2")
	unused := commitLayer(t, ctx, s, "unused", "3")
	leaseCtx, release := s.WithLease(ctx)
	byLease := commitLayer(t, leaseCtx, s, "lease", "4")
	createImage(t, s, "img", []digest.Digest{byImage.DiffID}, "img")
	if err := s.PutCache(ctx, CacheEntry{Key: "step", Layers: []digest.Digest{byCache.DiffID}}); err != nil {
		t.Fatal(err)
	}

	removed, freed, err := s.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(removed, []digest.Digest{unused.DiffID}) || freed != unused.Size {
		t.Errorf("GC removed %v (%d bytes), want only %s (%d)", removed, freed, unused.DiffID, unused.Size)
	}
	for _, l := range []Layer{byImage, byCache, byLease} {
		if _, err := os.Stat(s.LayerDir(l.DiffID)); err != nil {
			t.Errorf("kept layer %s: %v", l.DiffID, err)
		}
	}
	if _, err := os.Stat(s.layerPath(unused.DiffID)); !os.IsNotExist(err) {
		t.Errorf("collected layer directory still there: %v", err)
	}
	if _, err := os.Lstat(s.LayerLink(unused.DiffID)); !os.IsNotExist(err) {
		t.Errorf("collected layer link still there: %v", err)
	}
	if _, err := s.Layer(ctx, unused.DiffID); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("collected layer still recorded: %v", err)
	}
	if left := dirEntries(t, s.tmpDir()); len(left) != 0 {
		t.Errorf("tmp/ not emptied: %v", left)
	}

	// Released lease, pruned cache: those go too.
	release()
	if err := s.PruneCache(ctx); err != nil {
		t.Fatal(err)
	}
	removed, _, err = s.GC(ctx)
	slices.Sort(removed)
	want := []digest.Digest{byCache.DiffID, byLease.DiffID}
	slices.Sort(want)
	if err != nil || !reflect.DeepEqual(removed, want) {
		t.Errorf("second GC removed %v (%v), want %v", removed, err, want)
	}

	// The grace period keeps fresh layers nothing references yet.
	s.GCGrace = time.Hour
	fresh := commitLayer(t, ctx, s, "fresh", "5")
	if removed, _, _ := s.GC(ctx); len(removed) != 0 {
		t.Errorf("GC within the grace period removed %v", removed)
	}
	s.GCGrace = 0
	if removed, _, _ := s.GC(ctx); !reflect.DeepEqual(removed, []digest.Digest{fresh.DiffID}) {
		t.Errorf("GC after the grace period removed %v", removed)
	}
}

func TestCache(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	l := commitLayer(t, ctx, s, "f", "x")
	if _, err := s.Cache(ctx, "nope"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Cache miss = %v, want ErrNotFound", err)
	}
	if err := s.PutCache(ctx, CacheEntry{Key: "bad", Layers: []digest.Digest{digest.FromString("missing")}}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("PutCache with a missing layer = %v", err)
	}
	if err := s.PutCache(ctx, CacheEntry{}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("PutCache without key = %v", err)
	}
	for _, e := range []CacheEntry{
		{Key: "from", Value: []byte("base")},
		{Key: "copy-1", Parent: "from", Layers: []digest.Digest{l.DiffID}, Value: []byte("COPY a")},
		{Key: "copy-2", Parent: "from", Value: []byte("COPY b")},
		{Key: "run", Parent: "copy-1", Value: []byte("RUN")},
	} {
		if err := s.PutCache(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	e, err := s.Cache(ctx, "copy-1")
	if err != nil || e.Parent != "from" || !reflect.DeepEqual(e.Layers, []digest.Digest{l.DiffID}) || e.Created.IsZero() {
		t.Errorf("Cache(copy-1) = %+v %v", e, err)
	}
	kids, err := s.CacheChildren(ctx, "from")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range kids {
		keys = append(keys, k.Key)
	}
	if !reflect.DeepEqual(keys, []string{"copy-1", "copy-2"}) {
		t.Errorf("CacheChildren(from) = %v", keys)
	}
	if err := s.PruneCache(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cache(ctx, "run"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("entry survived PruneCache: %v", err)
	}
}

func TestCommitDeduplicates(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	a := commitLayer(t, ctx, s, "same/", "", "same/file", "content")
	time.Sleep(10 * time.Millisecond)
	b := commitLayer(t, ctx, s, "same/", "", "same/file", "content")
	if a.DiffID != b.DiffID || !a.Created.Equal(b.Created) {
		t.Errorf("same content committed twice: %+v and %+v", a, b)
	}
	if layers, _ := s.Layers(ctx); len(layers) != 1 {
		t.Errorf("%d layers recorded, want 1", len(layers))
	}
	if left := dirEntries(t, s.tmpDir()); len(left) != 0 {
		t.Errorf("staging leftovers: %v", left)
	}
	if n := len(dirEntries(t, s.layersDir())); n != 1 {
		t.Errorf("%d layer directories, want 1", n)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	s := newStore(t)
	w, err := s.NewLayer(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, w.Dir(), "f", "x")
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(t.Context()); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("Commit after Abort = %v, want ErrConflict", err)
	}
	if left := dirEntries(t, s.tmpDir()); len(left) != 0 {
		t.Errorf("tmp/ after Abort: %v", left)
	}
}

// TestDiffIDDeterminism: the same content gives the same DiffID however it
// was created, in whatever store.
func TestDiffIDDeterminism(t *testing.T) {
	requireRoot(t)
	ctx := t.Context()
	var ids []digest.Digest
	orders := [][]string{
		{"a/", "", "a/b/", "", "a/b/c", "1", "a/d", "2", "e", "3"},
		{"e", "3", "a/d", "2", "a/b/c", "1"},
	}
	for _, files := range orders {
		s := newStore(t)
		ids = append(ids, commitLayer(t, ctx, s, files...).DiffID)
	}
	if ids[0] != ids[1] {
		t.Errorf("same content, different DiffIDs: %v", ids)
	}
	s := newStore(t)
	if other := commitLayer(t, ctx, s, "e", "4", "a/d", "2", "a/b/c", "1"); other.DiffID == ids[0] {
		t.Errorf("different content, same DiffID")
	}
}

func TestNormalizeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"base", "base:latest"},
		{"base:v1", "base:v1"},
		{"my-app_2.x", "my-app_2.x:latest"},
		{"team/app:1.0", "team/app:1.0"},
		{"localhost:5000/app", "localhost:5000/app:latest"},
		{"registry.example.com/a/b:c", "registry.example.com/a/b:c"},
		{"UPPER", ""},
		{"a:", ""},
		{":tag", ""},
		{"a b", ""},
		{"app@sha256:" + strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 64), ""},
		{"-lead", ""},
		{"a:" + strings.Repeat("t", 129), ""},
	}
	for _, c := range cases {
		got, err := NormalizeName(c.in)
		if c.want == "" {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("NormalizeName(%q) = %q, %v; want ErrInvalidArgument", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestOpenRemovesLeftovers(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	root := t.TempDir()
	s, err := Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	kept := commitLayer(t, ctx, s, "kept", "1")
	if _, err := s.NewLayer(ctx); err != nil { // staged, never committed
		t.Fatal(err)
	}
	s.Close()
	// What a crash between rename and record leaves.
	stray := filepath.Join(root, "layers", strings.Repeat("e", 64))
	writeFiles(t, filepath.Join(stray, "diff"), "x", "y")
	if err := os.Symlink("../layers/"+strings.Repeat("e", 64)+"/diff", filepath.Join(root, "l", "STRAY")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "l", shortName(kept.DiffID)))

	s, err = Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dirEntries(t, s.tmpDir()); len(got) != 0 {
		t.Errorf("tmp/ after Open: %v", got)
	}
	if got := dirEntries(t, s.layersDir()); !reflect.DeepEqual(got, []string{kept.DiffID.Encoded()}) {
		t.Errorf("layers/ after Open: %v", got)
	}
	if got := dirEntries(t, s.linksDir()); !reflect.DeepEqual(got, []string{shortName(kept.DiffID)}) {
		t.Errorf("l/ after Open: %v (the missing link should be back)", got)
	}
}
