package distribution

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// tarEntry is one entry of a hand-made archive.
type tarEntry struct {
	name     string
	typ      byte
	body     []byte
	linkname string
	mode     int64
}

func file(name string, body []byte) tarEntry {
	return tarEntry{name: name, typ: tar.TypeReg, body: body}
}
func dir(name string) tarEntry { return tarEntry{name: name, typ: tar.TypeDir} }
func symlink(name, target string) tarEntry {
	return tarEntry{name: name, typ: tar.TypeSymlink, linkname: target}
}

// makeTar writes entries as a tar stream.
func makeTar(tb testing.TB, entries ...tarEntry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
			if e.typ == tar.TypeDir {
				mode = 0o755
			}
		}
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.linkname, Mode: mode, Size: int64(len(e.body)),
			ModTime: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), Uname: "root", Gname: "root"}
		if err := tw.WriteHeader(hdr); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// dockerSave builds an archive exactly as the legacy `docker save` lays
// it out: <v1 id>/{VERSION,json,layer.tar} per layer (a layer identical
// to an earlier one as a symlink to its layer.tar), <config digest>.json,
// manifest.json and repositories.
type dockerSave struct {
	layers  [][]byte // layer tars; nil: same as the previous one
	config  []byte
	tags    []string
	mutate  func(entries []tarEntry) []tarEntry
	diffIDs []digest.Digest
}

func (ds *dockerSave) build(tb testing.TB) []byte {
	tb.Helper()
	var entries []tarEntry
	var paths []string
	var prev string
	var prevTar []byte
	for i, l := range ds.layers {
		id := digest.FromString(strings.Repeat("v1", i+1)).Encoded()
		entries = append(entries, dir(id+"/"), file(id+"/VERSION", []byte("1.0")), file(id+"/json", []byte(`{"id":"`+id+`"}`)))
		if l == nil {
			entries = append(entries, symlink(id+"/layer.tar", "../"+prev+"/layer.tar"))
			l = prevTar
		} else {
			entries = append(entries, file(id+"/layer.tar", l))
		}
		ds.diffIDs = append(ds.diffIDs, digest.FromBytes(l))
		paths = append(paths, id+"/layer.tar")
		prev, prevTar = id, l
	}
	config := ds.config
	if config == nil {
		cfg := map[string]any{
			"architecture": "amd64", "os": "linux", "docker_version": "24.0.7",
			"created":   "2024-03-04T05:06:07.123456789Z",
			"container": "4f1b0c1a3e",
			"config": map[string]any{
				"Hostname": "", "Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				"Cmd": []string{"/bin/sh"}, "Labels": nil, "OnBuild": nil,
			},
			"container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", "#(nop) CMD [\"/bin/sh\"]"}},
			"history":          []map[string]any{{"created": "2024-03-04T05:06:07Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "}},
			"rootfs":           map[string]any{"type": "layers", "diff_ids": ds.diffIDs},
		}
		config, _ = json.Marshal(cfg)
	}
	cfgName := digest.FromBytes(config).Encoded() + ".json"
	entries = append(entries, file(cfgName, config))
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": ds.tags, "Layers": paths}})
	entries = append(entries, file("manifest.json", manifest))
	repos := map[string]map[string]string{}
	for _, t := range ds.tags {
		r, tag, _ := strings.Cut(t, ":")
		repos[r] = map[string]string{tag: prev}
	}
	rb, _ := json.Marshal(repos)
	entries = append(entries, file("repositories", rb))
	if ds.mutate != nil {
		entries = ds.mutate(entries)
	}
	return makeTar(tb, entries...)
}

// helloLayers are the layers of the hand-made docker save: files, a hard
// link and a symlink; a whiteout and an opaque directory; two empty
// layers (the second stored as a symlink, as docker save does).
func helloLayers(tb testing.TB) [][]byte {
	return [][]byte{
		makeTar(tb, dir("etc/"), file("etc/hostname", []byte("hello\n")),
			tarEntry{name: "etc/hostname2", typ: tar.TypeLink, linkname: "etc/hostname"},
			symlink("etc/alias", "hostname"), dir("var/"), file("var/old", []byte("old"))),
		makeTar(tb, dir("etc/"), file("etc/.wh.hostname2", nil), dir("var/"), file("var/.wh..wh..opq", nil), file("var/new", []byte("new"))),
		makeTar(tb),
		nil,
	}
}

// withConfig rewrites manifest.json (with manifestWith) to list layers
// with the archive's real config.
func withConfig(manifestWith func(string, ...string) func([]tarEntry) []tarEntry, layers ...string) func([]tarEntry) []tarEntry {
	return func(e []tarEntry) []tarEntry {
		for _, x := range e {
			if hexJSONRE.MatchString(x.name) {
				return manifestWith(x.name, layers...)(e)
			}
		}
		return e
	}
}

// TestLoadDockerSave loads a hand-made legacy docker save archive.
func TestLoadDockerSave(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ds := &dockerSave{layers: helloLayers(t), tags: []string{"hello:latest", "docker.io/library/hello:v1"}}
	imgs, err := newService(t, s, Config{}).Load(ctx, bytes.NewReader(ds.build(t)), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(imgs) != 1 {
		t.Fatalf("loaded %d images, want 1", len(imgs))
	}
	img := imgs[0]
	if !slices.Equal(img.Names, []string{"hello:latest", "hello:v1"}) {
		t.Errorf("names %v", img.Names)
	}
	if !slices.Equal(img.Layers, ds.diffIDs) {
		t.Errorf("layers %v, want %v", img.Layers, ds.diffIDs)
	}
	if !slices.Equal(img.Config.Config.Cmd, []string{"/bin/sh"}) || len(img.StartupCommands) != 0 {
		t.Errorf("Cmd %v, startup commands %v", img.Config.Config.Cmd, img.StartupCommands)
	}
	l0, l1 := s.LayerDir(img.Layers[0]), s.LayerDir(img.Layers[1])
	if b, err := os.ReadFile(filepath.Join(l0, "etc", "hostname2")); err != nil || string(b) != "hello\n" {
		t.Errorf("etc/hostname2: %q, %v", b, err)
	}
	if target, err := os.Readlink(filepath.Join(l0, "etc", "alias")); err != nil || target != "hostname" {
		t.Errorf("etc/alias: %q, %v", target, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(l1, "etc", "hostname2"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		t.Errorf("etc/hostname2 in layer 2 is not a whiteout: %v", err)
	}
	buf := make([]byte, 4)
	if n, err := unix.Getxattr(filepath.Join(l1, "var"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("var in layer 2 is not opaque: %v", err)
	}

	// Saving it again renders its layers afresh: their DiffIDs change
	// (docker's tar had other metadata), and the archive stays valid.
	var out bytes.Buffer
	if err := newService(t, s, Config{}).Save(ctx, []string{"hello:latest"}, &out, FormatDocker); err != nil {
		t.Fatalf("Save: %v", err)
	}
	tag, _ := name.NewTag("hello:latest")
	saved, err := tarball.Image(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out.Bytes())), nil }, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(saved); err != nil {
		t.Errorf("re-saved archive: %v", err)
	}
}

// TestLoadRejects feeds archives that are malformed or try to reach
// outside the archive: each fails with ErrInvalidArgument, registers no
// image, and leaves no layer once GC has run.
func TestLoadRejects(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	replace := func(old string, e tarEntry) func([]tarEntry) []tarEntry {
		return func(entries []tarEntry) []tarEntry {
			for i := range entries {
				if entries[i].name == old || strings.HasSuffix(entries[i].name, old) {
					entries[i] = e
					return entries
				}
			}
			return append(entries, e)
		}
	}
	manifestWith := func(config string, layers ...string) func([]tarEntry) []tarEntry {
		m, _ := json.Marshal([]map[string]any{{"Config": config, "RepoTags": []string{"x:1"}, "Layers": layers}})
		return replace("manifest.json", file("manifest.json", m))
	}
	layers := helloLayers(t)
	for _, tc := range []struct {
		name    string
		archive func() []byte
		want    string
	}{
		{"parent traversal in a name", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", file("../evil.json", []byte("{}")))}).build(t)
		}, "leaves the archive"},
		{"absolute name", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", file("/manifest.json", []byte("[]")))}).build(t)
		}, "leaves the archive"},
		{"symlink out of the archive", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", symlink("x/layer.tar", "../../"+outside))}).build(t)
		}, "leaves the archive"},
		{"absolute symlink", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", symlink("x/layer.tar", outside))}).build(t)
		}, "leaves the archive"},
		{"hard link out of the archive", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", tarEntry{name: "x/layer.tar", typ: tar.TypeLink, linkname: "../x"})}).build(t)
		}, "leaves the archive"},
		{"manifest pointing out of the archive", func() []byte {
			return (&dockerSave{layers: layers[:1], mutate: withConfig(manifestWith, "../../../etc/passwd")}).build(t)
		}, "leaves the archive"},
		{"manifest config out of the archive", func() []byte {
			return (&dockerSave{layers: layers[:1], mutate: manifestWith("/etc/passwd", "x/layer.tar")}).build(t)
		}, "leaves the archive"},
		{"manifest pointing at a missing layer", func() []byte {
			return (&dockerSave{layers: layers[:1], mutate: withConfig(manifestWith, "nosuch/layer.tar")}).build(t)
		}, "not in the archive"},
		{"device entry", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("repositories", tarEntry{name: "dev", typ: tar.TypeChar})}).build(t)
		}, "unexpected entry type"},
		{"huge manifest.json", func() []byte {
			return (&dockerSave{layers: layers, mutate: replace("manifest.json", file("manifest.json", bytes.Repeat([]byte(" "), 5<<20)))}).build(t)
		}, "exceeds the limit"},
		{"config does not match its name", func() []byte {
			ds := &dockerSave{layers: layers[:1]}
			ds.mutate = func(e []tarEntry) []tarEntry {
				for i, x := range e {
					if hexJSONRE.MatchString(x.name) {
						e[i].body = bytes.Replace(x.body, []byte("amd64"), []byte("arm64"), 1)
					}
				}
				return e
			}
			return ds.build(t)
		}, "digest mismatch"},
		{"layer does not match the config", func() []byte {
			ds := &dockerSave{layers: layers[:2]}
			ds.mutate = func(e []tarEntry) []tarEntry {
				for i, x := range e {
					if strings.HasSuffix(x.name, "layer.tar") {
						e[i].body = layers[1]
						break
					}
				}
				return e
			}
			return ds.build(t)
		}, "the config says"},
		{"OCI blob does not match its name", func() []byte {
			return makeTar(t, file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)),
				file("blobs/sha256/"+strings.Repeat("0", 64), []byte(`{"schemaVersion":2}`)),
				file("index.json", []byte(`{"schemaVersion":2,"manifests":[]}`)))
		}, "digest mismatch"},
		{"OCI index without images", func() []byte {
			return makeTar(t, file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)), file("index.json", []byte(`{"schemaVersion":2,"manifests":[]}`)))
		}, "no image"},
		{"no manifest", func() []byte { return makeTar(t, file("hello.txt", []byte("hi"))) }, "not an image archive"},
		{"empty archive", func() []byte { return makeTar(t) }, "empty"},
		{"not a tar", func() []byte { return bytes.Repeat([]byte("garbage!"), 200) }, "reading the archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			_, err := newService(t, s, Config{}).Load(context.Background(), bytes.NewReader(tc.archive()), nil)
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want ErrInvalidArgument saying %q", err, tc.want)
			}
			assertNothingLeft(t, s)
			if _, err := os.Lstat(outside); !os.IsNotExist(err) {
				t.Errorf("%s exists: %v", outside, err)
			}
		})
	}
}

// TestLoadLayerTraversal loads a layer whose tar names a path above its
// root: the file lands inside the layer, never outside.
func TestLoadLayerTraversal(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "escaped")
	rel := strings.Repeat("../", 20) + strings.TrimPrefix(victim, "/")
	layer := makeTar(t, file(rel, []byte("pwned")), symlink("link", "/"), file("link/"+strings.TrimPrefix(victim, "/")+"2", []byte("pwned")))
	s := newStore(t)
	imgs, err := newService(t, s, Config{}).Load(context.Background(), bytes.NewReader((&dockerSave{layers: [][]byte{layer}, tags: []string{"trav:1"}}).build(t)), nil)
	if err == nil && len(imgs) == 1 {
		if _, err := os.Stat(filepath.Join(s.LayerDir(imgs[0].Layers[0]), strings.TrimPrefix(victim, "/"))); err != nil {
			t.Errorf("the entry is not inside the layer: %v", err)
		}
	}
	for _, p := range []string{victim, victim + "2"} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s was written outside the layer (%v)", p, err)
		}
	}
}

// TestPushForeignLayers pushes an image loaded from a docker save: its
// layers are rendered afresh (new DiffIDs in the pushed config), and the
// image pulled back has the same files.
func TestPushForeignLayers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	d := newService(t, s, Config{})
	ds := &dockerSave{layers: helloLayers(t), tags: []string{reg.host + "/test/hello:1"}}
	imgs, err := d.Load(ctx, bytes.NewReader(ds.build(t)), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := d.Push(ctx, reg.host+"/test/hello:1", PushOptions{}); err != nil {
		t.Fatalf("Push: %v", err)
	}
	dst := newStore(t)
	got, err := newService(t, dst, Config{}).Pull(ctx, reg.host+"/test/hello:1", PullOptions{})
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if slices.Equal(got.Layers, imgs[0].Layers) {
		t.Errorf("the DiffIDs of docker's tars survived a re-rendering: %v", got.Layers)
	}
	if len(got.Layers) != 4 || got.Layers[2] != got.Layers[3] {
		t.Errorf("layers %v, want four with the last two equal", got.Layers)
	}
	if b, err := os.ReadFile(filepath.Join(dst.LayerDir(got.Layers[0]), "etc", "hostname2")); err != nil || string(b) != "hello\n" {
		t.Errorf("etc/hostname2: %q, %v", b, err)
	}
	if !slices.Equal(got.Config.Config.Cmd, []string{"/bin/sh"}) {
		t.Errorf("Cmd %v", got.Config.Config.Cmd)
	}
	// Pushing it again from the pulled copy changes nothing: the
	// rendering of a rendered layer is itself.
	dg1, _ := newService(t, dst, Config{}).Push(ctx, reg.host+"/test/hello:1", PushOptions{})
	dg2, _ := d.Push(ctx, reg.host+"/test/hello:1", PushOptions{})
	if dg1 != dg2 || dg1 == "" {
		t.Errorf("manifest digests %s and %s differ", dg1, dg2)
	}
}
