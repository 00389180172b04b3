package security

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// This file builds what the hostile tar and hostile image tests feed the
// daemon: layer tars made entry by entry (any name, type, mode, owner,
// xattr, link target), images of such layers in the three forms the
// engine takes them in (a docker-archive and an OCI layout tar for load,
// a registry on 127.0.0.1 for pull), and the host-side sentinel those
// layers aim at, with the checks that it did not change.

// entryTime is the mtime of every entry, so that layers (and their
// digests) do not depend on when the test ran.
var entryTime = time.Date(2021, 7, 21, 0, 0, 0, 0, time.UTC)

// entry is one member of a layer tar. Its header is written as given:
// nothing is cleaned, so names with "..", absolute names and links
// anywhere are what they say.
type entry struct {
	hdr  tar.Header
	body string
}

func dirEntry(name string, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: entryTime}}
}

func fileEntry(name, body string, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: entryTime}, body: body}
}

// symlinkEntry is name -> target.
func symlinkEntry(name, target string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: entryTime}}
}

// hardlinkEntry makes name a hard link to the entry target.
func hardlinkEntry(name, target string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o644, ModTime: entryTime}}
}

func charDevEntry(name string, major, minor int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeChar, Name: name, Mode: 0o666, Devmajor: major, Devminor: minor, ModTime: entryTime}}
}

func blockDevEntry(name string, major, minor int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeBlock, Name: name, Mode: 0o666, Devmajor: major, Devminor: minor, ModTime: entryTime}}
}

func fifoEntry(name string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: name, Mode: 0o666, ModTime: entryTime}}
}

// withMode returns e with the permission bits (setuid and friends
// included) set to mode.
func (e entry) withMode(mode int64) entry {
	e.hdr.Mode = mode
	return e
}

// withOwner returns e owned by uid:gid.
func (e entry) withOwner(uid, gid int) entry {
	e.hdr.Uid, e.hdr.Gid = uid, gid
	return e
}

// withMtime returns e with its modification time set to t.
func (e entry) withMtime(t time.Time) entry {
	e.hdr.ModTime = t
	return e
}

// withXattr returns e carrying the extended attribute key=value (as a
// SCHILY.xattr PAX record, as GNU tar and Docker write them).
func (e entry) withXattr(key, value string) entry {
	recs := map[string]string{}
	for k, v := range e.hdr.PAXRecords {
		recs[k] = v
	}
	recs["SCHILY.xattr."+key] = value
	e.hdr.PAXRecords = recs
	e.hdr.Format = tar.FormatPAX
	return e
}

// layerTar writes entries as an uncompressed tar stream.
func layerTar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("writing the tar header of %q: %v", h.Name, err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatalf("writing the content of %q: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// busyboxLayer is a layer holding a busybox root filesystem (from
// busybox-static), for images whose containers must run something.
func busyboxLayer(t testing.TB) []byte {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (%s): %v", busyboxfs.Binary, err)
	}
	dir := t.TempDir()
	if err := busyboxfs.Create(dir); err != nil {
		t.Fatalf("making the busybox root filesystem: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Name = rel
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
		h.ModTime, h.AccessTime, h.ChangeTime = entryTime, time.Time{}, time.Time{}
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		t.Fatalf("writing the busybox layer: %v", err)
	}
	return buf.Bytes()
}

// filterTar copies the layer tar keeping only the entries keep accepts.
func filterTar(t testing.TB, layer []byte, keep func(name string) bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading a layer to filter: %v", err)
		}
		if !keep(h.Name) {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testImage is an image made of raw layer tars, bottom first.
type testImage struct {
	layers  [][]byte
	cmd     []string
	workdir string
}

// blob is content with its digest.
type blob struct {
	mediaType string
	data      []byte
}

func (b blob) digest() digest.Digest { return digest.FromBytes(b.data) }

func (b blob) descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: b.mediaType, Digest: b.digest(), Size: int64(len(b.data))}
}

// config is the image's OCI config: the host's platform, the command and
// the DiffIDs of the (uncompressed) layers.
func (img testImage) config(t testing.TB) blob {
	t.Helper()
	cfg := ocispec.Image{
		Platform: ocispec.Platform{Architecture: goruntime.GOARCH, OS: "linux"},
		Config:   ocispec.ImageConfig{Env: []string{"PATH=/bin:/usr/bin"}, Cmd: img.cmd, WorkingDir: img.workdir},
		RootFS:   ocispec.RootFS{Type: "layers"},
	}
	for _, l := range img.layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, digest.FromBytes(l))
	}
	return blob{mediaType: ocispec.MediaTypeImageConfig, data: mustJSON(t, cfg)}
}

// manifest is the image's OCI manifest with the layer blobs it names
// (gzip-compressed when gz is set, as registries usually serve them).
func (img testImage) manifest(t testing.TB, gz bool) (manifest, config blob, layers []blob) {
	t.Helper()
	config = img.config(t)
	m := ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest, Config: config.descriptor()}
	for _, l := range img.layers {
		b := blob{mediaType: ocispec.MediaTypeImageLayer, data: l}
		if gz {
			b = blob{mediaType: ocispec.MediaTypeImageLayerGzip, data: gzipped(t, l)}
		}
		layers = append(layers, b)
		m.Layers = append(m.Layers, b.descriptor())
	}
	return blob{mediaType: ocispec.MediaTypeImageManifest, data: mustJSON(t, m)}, config, layers
}

// dockerArchive is what `docker save` would write for img named name:
// manifest.json, <config digest>.json and <layer digest>/layer.tar.
func dockerArchive(t testing.TB, name string, img testImage) []byte {
	t.Helper()
	cfg := img.config(t)
	cfgName := cfg.digest().Encoded() + ".json"
	files := []entry{fileEntry(cfgName, string(cfg.data), 0o644)}
	type manifestEntry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	me := manifestEntry{Config: cfgName, RepoTags: []string{name}}
	for _, l := range img.layers {
		p := digest.FromBytes(l).Encoded() + "/layer.tar"
		files = append(files, dirEntry(path.Dir(p), 0o755), fileEntry(p, string(l), 0o644))
		me.Layers = append(me.Layers, p)
	}
	files = append(files, fileEntry("manifest.json", string(mustJSON(t, []manifestEntry{me})), 0o644))
	return layerTar(t, files...)
}

// ociArchive is an OCI image layout tar holding img named name (the
// annotation containerd and podman write).
func ociArchive(t testing.TB, name string, img testImage) []byte {
	t.Helper()
	m, cfg, layers := img.manifest(t, false)
	files := []entry{fileEntry(ocispec.ImageLayoutFile, `{"imageLayoutVersion":"1.0.0"}`, 0o644), dirEntry("blobs", 0o755), dirEntry("blobs/sha256", 0o755)}
	for _, b := range append(layers, cfg, m) {
		files = append(files, fileEntry("blobs/sha256/"+b.digest().Encoded(), string(b.data), 0o644))
	}
	desc := m.descriptor()
	desc.Annotations = map[string]string{"io.containerd.image.name": name, ocispec.AnnotationRefName: name}
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{desc}}
	files = append(files, fileEntry("index.json", string(mustJSON(t, idx)), 0o644))
	return layerTar(t, files...)
}

// serveImage serves img as repo:tag from a minimal read-only OCI
// distribution registry on 127.0.0.1 until the test ends, and returns
// the reference to pull. The registry serves the bytes it was given and
// nothing else: no validation stands between the hostile layer and the
// puller.
func serveImage(t testing.TB, repo, tag string, img testImage) string {
	t.Helper()
	m, cfg, layers := img.manifest(t, true)
	blobs := map[string]blob{cfg.digest().String(): cfg}
	for _, l := range layers {
		blobs[l.digest().String()] = l
	}
	host := serveRegistry(t, repo, map[string]blob{tag: m, m.digest().String(): m}, blobs)
	return host + "/" + repo + ":" + tag
}

// serveRegistry serves manifests and blobs of repo, by the reference or
// digest string that keys them (any string: a test can serve what no
// registry would), on 127.0.0.1 until the test ends, and returns its
// host:port.
func serveRegistry(t testing.TB, repo string, manifests, blobs map[string]blob) string {
	t.Helper()
	prefix := "/v2/" + repo + "/"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, `{"errors":[{"code":"UNSUPPORTED"}]}`, http.StatusMethodNotAllowed)
			return
		}
		var b blob
		var ok bool
		switch rest, in := strings.CutPrefix(r.URL.Path, prefix); {
		case r.URL.Path == "/v2/":
			b, ok = blob{mediaType: "application/json", data: []byte("{}")}, true
		case in && strings.HasPrefix(rest, "manifests/"):
			b, ok = manifests[strings.TrimPrefix(rest, "manifests/")]
		case in && strings.HasPrefix(rest, "blobs/"):
			b, ok = blobs[strings.TrimPrefix(rest, "blobs/")]
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errors":[{"code":"NAME_UNKNOWN","message":"not here"}]}`)
			return
		}
		w.Header().Set("Content-Type", b.mediaType)
		w.Header().Set("Docker-Content-Digest", b.digest().String())
		w.Header().Set("Content-Length", fmt.Sprint(len(b.data)))
		if r.Method == http.MethodGet {
			w.Write(b.data)
		}
	})
	srv := httptest.NewServer(h) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// victimTime is the mtime of every sentinel, far from now, so that a
// write shows.
var victimTime = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// victim is a directory on the host, outside the daemon's data root,
// that hostile layers aim at: by absolute path, by a ".." chain long
// enough to climb from any layer directory to "/" and down into it, and
// through symlinks. Its files have known content, modes and times;
// nothing may change there.
type victim struct {
	// base is the test's temporary directory holding dir; it must hold
	// nothing else afterwards either.
	base string
	// dir is the target: hello (0644), perm400 (0400), a subdirectory
	// and the files a container's /etc would want (hosts, resolv.conf,
	// hostname, passwd).
	dir string
	// marker starts the name of every file a hostile layer tries to
	// create; it is unique to the test, so finding it anywhere outside a
	// layer directory proves an escape.
	marker string
	before map[string]string
}

// victimFiles are the sentinels a victim holds, with their content and
// mode.
var victimFiles = []struct {
	name, body string
	mode       os.FileMode
}{
	{"hello", "hello from the host\n", 0o644},
	{"perm400", "read-only host file\n", 0o400},
	{"hosts", "10.66.66.66 host-sentinel\n", 0o644},
	{"resolv.conf", "nameserver 10.66.66.66\n", 0o644},
	{"hostname", "host-sentinel\n", 0o644},
	{"passwd", "root:x:0:0:root:/root:/bin/sh\nhostonly:x:4242:4242::/:/bin/sh\n", 0o644},
	{"sub/keep", "kept\n", 0o644},
}

// newVictim plants the sentinel directory and records its state.
func newVictim(t testing.TB) *victim {
	t.Helper()
	base := t.TempDir()
	v := &victim{base: base, dir: filepath.Join(base, "victim"), marker: fmt.Sprintf("crt-pwned-%d", time.Now().UnixNano())}
	if err := os.MkdirAll(filepath.Join(v.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range victimFiles {
		p := filepath.Join(v.dir, f.name)
		if err := os.WriteFile(p, []byte(f.body), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(v.dir, "sub"), v.dir} {
		if err := os.Chtimes(p, victimTime, victimTime); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range victimFiles {
		if err := os.Chtimes(filepath.Join(v.dir, f.name), victimTime, victimTime); err != nil {
			t.Fatal(err)
		}
	}
	v.before = v.state(t)
	return v
}

// path is the absolute host path of name in the victim directory.
func (v *victim) path(name string) string { return filepath.Join(v.dir, name) }

// dotdot is a relative path that climbs from any directory of this
// machine to "/" and then names name in the victim directory.
func (v *victim) dotdot(name string) string {
	return strings.Repeat("../", 40) + strings.TrimPrefix(v.path(name), "/")
}

// inRoot is where a name aimed at the victim (absolute or by "..")
// lands when it is correctly kept inside an image root: the same path,
// relative to the root.
func (v *victim) inRoot(name string) string { return strings.TrimPrefix(v.path(name), "/") }

// state describes every inode under base: type and mode, owner, link
// count, size, mtime, ctime (which moves on any chmod, chown, link or
// xattr change), xattrs and content or link target.
func (v *victim) state(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(v.base, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		desc := fmt.Sprintf("mode=%#o uid=%d gid=%d nlink=%d size=%d mtime=%d ctime=%d.%d xattrs=%s",
			st.Mode, st.Uid, st.Gid, st.Nlink, st.Size, st.Mtim.Nano(), st.Ctim.Sec, st.Ctim.Nsec, xattrs(p))
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" content=%q", b)
		case unix.S_IFLNK:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + l
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatalf("recording the victim's state: %v", err)
	}
	return out
}

// xattrs lists the extended attributes of p (not followed) with values.
func xattrs(p string) string {
	buf := make([]byte, 64<<10)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n == 0 {
		return "[]"
	}
	var out []string
	for _, k := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		val := make([]byte, 64<<10)
		m, err := unix.Lgetxattr(p, k, val)
		if err != nil {
			out = append(out, k+"=?")
			continue
		}
		out = append(out, fmt.Sprintf("%s=%q", k, val[:m]))
	}
	sort.Strings(out)
	return "[" + strings.Join(out, " ") + "]"
}

// checkUnchanged fails the test if anything under the victim's base
// directory changed since it was planted: a file modified, chmodded,
// chowned, linked or given an xattr, a file created or removed.
func (v *victim) checkUnchanged(t testing.TB) {
	t.Helper()
	after := v.state(t)
	for p, was := range v.before {
		now, ok := after[p]
		switch {
		case !ok:
			t.Errorf("HOST FILE REMOVED: %s (was %s)", p, was)
		case now != was:
			t.Errorf("HOST FILE CHANGED: %s\n  before %s\n  after  %s", p, was, now)
		}
	}
	for p, now := range after {
		if _, ok := v.before[p]; !ok {
			t.Errorf("HOST FILE CREATED: %s (%s)", p, now)
		}
	}
}

// checkNoStray fails the test if a file whose name carries the marker
// exists on the host anywhere a broken extraction could have put it:
// under the daemon's directory other than inside a layer's diff/ (where
// a correctly contained entry lands), and directly in any directory from
// the daemon's root up to "/" (where ".." chains of any depth land).
func (v *victim) checkNoStray(t testing.TB, dataRoot, daemonDir string) {
	t.Helper()
	contained := func(p string) bool {
		rel, err := filepath.Rel(dataRoot, p)
		if err != nil {
			return false
		}
		parts := strings.Split(rel, string(filepath.Separator))
		return len(parts) >= 4 && (parts[0] == "layers" || parts[0] == "tmp") && parts[2] == "diff"
	}
	filepath.WalkDir(daemonDir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return nil // a directory removed during the walk
		}
		if strings.Contains(de.Name(), v.marker) && !contained(p) {
			t.Errorf("ESCAPED FILE in the daemon's directory, outside any layer: %s", p)
		}
		return nil
	})
	for dir := dataRoot; ; dir = filepath.Dir(dir) {
		names, _ := os.ReadDir(dir)
		for _, n := range names {
			if strings.Contains(n.Name(), v.marker) && !contained(filepath.Join(dir, n.Name())) {
				t.Errorf("ESCAPED FILE at %s", filepath.Join(dir, n.Name()))
				os.RemoveAll(filepath.Join(dir, n.Name()))
			}
		}
		if dir == "/" {
			break
		}
	}
}

// exported is one entry of an image's flattened root filesystem.
type exported struct {
	hdr  tar.Header
	body string
}

// readTar reads every entry of a tar stream by cleaned name.
func readTar(t testing.TB, data []byte) map[string]exported {
	t.Helper()
	out := map[string]exported{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading an exported image: %v", err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s of an exported image: %v", h.Name, err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		out[name] = exported{hdr: *h, body: string(b)}
	}
}

// recorder is a testing.TB that records failures instead of failing,
// for checking that the checks above can fail.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

// TestVictimSeesEveryChange proves that the sentinel checks catch each
// change an escape could make: content, mode, owner, a hard link, an
// xattr, a new file, a removed file, a new file next to the victim, and
// a marker file in a directory above the data root.
func TestVictimSeesEveryChange(t *testing.T) {
	changes := map[string]func(v *victim) error{
		"write":   func(v *victim) error { return os.WriteFile(v.path("hello"), []byte("pwned"), 0o644) },
		"chmod":   func(v *victim) error { return os.Chmod(v.path("perm400"), 0o777) },
		"chown":   func(v *victim) error { return os.Lchown(v.path("hello"), 4242, 4242) },
		"link":    func(v *victim) error { return os.Link(v.path("hello"), filepath.Join(t.TempDir(), "stolen")) },
		"xattr":   func(v *victim) error { return unix.Lsetxattr(v.dir, "user.pwned", []byte("1"), 0) },
		"create":  func(v *victim) error { return os.WriteFile(v.path(v.marker), nil, 0o644) },
		"remove":  func(v *victim) error { return os.Remove(v.path("sub/keep")) },
		"sibling": func(v *victim) error { return os.Mkdir(filepath.Join(v.base, v.marker), 0o755) },
		"mtime":   func(v *victim) error { return os.Chtimes(v.path("hosts"), time.Now(), time.Now()) },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			if name == "chown" || name == "link" {
				testutil.RequireRoot(t)
			}
			v := newVictim(t)
			if err := change(v); err != nil {
				t.Fatalf("changing the victim: %v", err)
			}
			r := &recorder{TB: t}
			v.checkUnchanged(r)
			if len(r.failed) == 0 {
				t.Errorf("checkUnchanged missed the change %q", name)
			}
		})
	}
	t.Run("stray", func(t *testing.T) {
		v := newVictim(t)
		dataRoot := filepath.Join(v.base, "daemon", "root")
		if err := os.MkdirAll(filepath.Join(dataRoot, "layers", "abc", "diff"), 0o755); err != nil {
			t.Fatal(err)
		}
		inside := filepath.Join(dataRoot, "layers", "abc", "diff", v.marker)
		above := filepath.Join(v.base, "daemon", v.marker)
		for _, p := range []string{inside, above} {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := &recorder{TB: t}
		v.checkNoStray(r, dataRoot, filepath.Join(v.base, "daemon"))
		if len(r.failed) == 0 {
			t.Errorf("checkNoStray missed %s", above)
		}
		for _, f := range r.failed {
			if !strings.HasSuffix(f, above) {
				t.Errorf("checkNoStray reported %q; only %s is outside a layer", f, above)
			}
		}
	})
}
