package security

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// copyHost is a host directory outside any build context holding a file
// whose content no image may ever get: the target of the COPY and ADD
// attacks below.
type copyHost struct {
	dir      string // the host directory
	file     string // dir/secret
	sentinel string // the file's unique content
	shadow   string // the first line of the host's /etc/shadow
}

// newCopyHost makes the host directory and its sentinel file, root-only
// as /etc/shadow is.
func newCopyHost(t *testing.T) copyHost {
	t.Helper()
	h := copyHost{dir: filepath.Join(t.TempDir(), "host")}
	h.file = filepath.Join(h.dir, "secret")
	h.sentinel = "copy-sentinel-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := os.Mkdir(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.file, []byte(h.sentinel+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile("/etc/shadow"); err == nil {
		h.shadow, _, _ = strings.Cut(string(b), "\n")
	}
	return h
}

// checkUntouched fails unless the host directory still holds exactly its
// secret, unchanged: nothing was written next to it.
func (h copyHost) checkUntouched(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "secret" {
		t.Errorf("the build wrote into the host directory %s: it holds %q", h.dir, names)
	}
	if b, err := os.ReadFile(h.file); err != nil || string(b) != h.sentinel+"\n" {
		t.Errorf("the host secret changed: %q, %v", b, err)
	}
}

// copyContext writes a build context <tmp>/ctx: files maps a path to its
// content, or to "-> target" for a symlink.
func (h copyHost) context(t *testing.T, dockerfile string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ctx")
	// <tmp>/host beside the context leads to the host directory, so that
	// "../host/secret" from the context is the secret.
	if err := os.Symlink(h.dir, filepath.Join(filepath.Dir(dir), "host")); err != nil {
		t.Fatal(err)
	}
	files["Dockerfile"] = dockerfile
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "-> "); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// imageLacks fails when any file of the image, read from a container, has
// the sentinel in it. It is the check that holds whatever the build did.
func imageLacks(t *testing.T, d *daemon.Daemon, img, sentinel string) {
	t.Helper()
	r := d.Run(t, "run", "--rm", "--network", "none", img,
		"sh", "-c", "find / -xdev -type f -size -64k -exec grep -l "+sentinel+" {} + 2>/dev/null; echo done")
	if r.Code != 0 || !strings.Contains(r.Stdout, "done") {
		t.Fatalf("searching the image: %v", r)
	}
	if strings.Contains(r.Stdout, "/") {
		t.Errorf("the image %s holds the host's secret in: %s", img, r.Stdout)
	}
}

// buildMustRefuse builds ctx as img and fails unless the build fails with
// an error that names the problem (one of wants). If the build
// nevertheless succeeded, the image is searched for the sentinel too.
func buildMustRefuse(t *testing.T, d *daemon.Daemon, h copyHost, img, ctx string, wants ...string) {
	t.Helper()
	r := d.Run(t, "build", "-t", img, ctx)
	h.checkUntouched(t)
	if r.Code == 0 {
		t.Errorf("the build succeeded, want it refused:\n%v", r)
		imageLacks(t, d, img, h.sentinel)
		x := d.Run(t, "run", "--rm", "--network", "none", img, "cat", "/x")
		if h.shadow != "" && strings.Contains(x.Stdout, h.shadow) {
			t.Errorf("the image's /x is the host's /etc/shadow")
		}
		return
	}
	if strings.Contains(r.Stdout+r.Stderr, h.sentinel) {
		t.Errorf("the build's output quotes the host secret:\n%v", r)
	}
	for _, w := range wants {
		if strings.Contains(r.Stderr, w) {
			return
		}
	}
	t.Errorf("the build failed without saying why (want one of %q):\n%v", wants, r)
}

// TestCWE22_CopySourceOutsideContext guards against path traversal
// (CWE-22) in COPY and ADD sources: the daemon reads the context as root,
// so a source that climbs out of the context with "..", at the start or
// in the middle of the path, would copy any host file into the image. An
// absolute source is relative to the context, as in Docker, so
// "/etc/shadow" names <context>/etc/shadow, never the host's. Every such
// build must fail with an error that says the source is outside the
// context (or not found in it), and no image may hold the host file.
func TestCWE22_CopySourceOutsideContext(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	h := newCopyHost(t)
	for _, tt := range []struct {
		name, src string
		wants     []string
	}{
		{"climb to a host file", "../host/secret", []string{"outside the build context"}},
		{"climb to /etc/shadow", "../../../../../../../../etc/shadow", []string{"outside the build context"}},
		{"climb in the middle", "sub/../../host/secret", []string{"outside the build context"}},
		{"climb in the middle of a wildcard", "sub/../../h*/secret", []string{"outside the build context", "no file matches"}},
		{"absolute /etc/shadow", "/etc/shadow", []string{"not found in the build context"}},
		{"absolute host file", h.file, []string{"not found in the build context"}},
	} {
		for _, kind := range []string{"COPY", "ADD"} {
			t.Run(kind+" "+tt.name, func(t *testing.T) {
				ctx := h.context(t, "FROM busybox\n"+kind+" "+tt.src+" /x\n", map[string]string{"sub/keep": "k"})
				buildMustRefuse(t, d, h, "cwe22", ctx, tt.wants...)
			})
		}
	}
}

// TestCVE_2014_9356_CopyThroughSymlinkOutOfContext guards against the
// class of CVE-2014-9356 (Docker before 1.3.3 followed an absolute
// symlink of a build to a host path): a context whose symlinks lead out of
// it — to a host directory by an absolute or a relative target, in the
// middle of a source path, through a chain of links, or as the source
// itself — must never make COPY or ADD read the host file. Those builds
// fail saying a symlink points outside the build context. A symlink met
// while copying a directory is copied as a symlink, as Docker does: the
// image then has the link, whose target means nothing outside the image,
// and never the host file's content.
func TestCVE_2014_9356_CopyThroughSymlinkOutOfContext(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	h := newCopyHost(t)
	for _, tt := range []struct {
		name  string
		src   string
		links map[string]string
	}{
		{"absolute link to a host directory", "hostdir/secret", map[string]string{"hostdir": "-> " + h.dir}},
		{"absolute link to /etc", "hostetc/shadow", map[string]string{"hostetc": "-> /etc"}},
		{"relative link climbing out", "up/host/secret", map[string]string{"up": "-> .."}},
		{"link in the middle of the path", "a/b/c/secret", map[string]string{"a/b/c": "-> " + h.dir, "a/keep": "k"}},
		{"link in the middle, relative", "a/b/secret", map[string]string{"a/b": "-> ../../host"}},
		{"chain of links", "l1/secret", map[string]string{"l1": "-> l2", "l2": "-> sub/l3", "sub/l3": "-> " + h.dir}},
		{"chain ending in a relative climb", "l1/secret", map[string]string{"l1": "-> sub/l2", "sub/l2": "-> ../../host"}},
		{"the source is a link to the host file", "s", map[string]string{"s": "-> " + h.file}},
		{"a wildcard matching a link out", "host*/secret", map[string]string{"hostdir": "-> " + h.dir}},
		{"the source is a link to a link out", "s", map[string]string{"s": "-> t", "t": "-> /etc/shadow"}},
	} {
		for _, kind := range []string{"COPY", "ADD"} {
			t.Run(kind+" "+tt.name, func(t *testing.T) {
				ctx := h.context(t, "FROM busybox\n"+kind+" "+tt.src+" /x\n", tt.links)
				buildMustRefuse(t, d, h, "cve20149356", ctx, "outside the build context", "not found in the build context")
			})
		}
	}

	t.Run("a link inside a copied directory is copied as a link", func(t *testing.T) {
		ctx := h.context(t, "FROM busybox\nCOPY app /app\nCOPY . /all/\n", map[string]string{
			"app/ok":      "fine\n",
			"app/abs":     "-> " + h.file,
			"app/dir":     "-> " + h.dir,
			"app/rel":     "-> ../../host/secret",
			"app/sub/rel": "-> ../../../host",
		})
		d.OK(t, "build", "-t", "copylinks", ctx)
		h.checkUntouched(t)
		out := d.OK(t, "run", "--rm", "--network", "none", "copylinks", "sh", "-c",
			"for f in abs dir rel sub/rel; do readlink /app/$f; done; cat /app/abs /app/dir/secret /app/rel /all/app/abs 2>&1; cat /app/ok")
		for _, want := range []string{h.file, h.dir, "../../host/secret", "../../../host", "fine"} {
			if !strings.Contains(out, want+"\n") {
				t.Errorf("the image's links read back without %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, h.sentinel) {
			t.Errorf("reading the links in a container gave the host's secret:\n%s", out)
		}
		imageLacks(t, d, "copylinks", h.sentinel)
	})
}

// hostileTar returns a tar archive of entries; an entry's body is used
// for a regular file and Linkname for links.
func hostileTar(t *testing.T, entries ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		body := ""
		if e.Typeflag == tar.TypeReg {
			body = "written by a hostile archive\n"
			e.Size = int64(len(body))
		}
		if e.Mode == 0 {
			e.Mode = 0o644
		}
		if err := tw.WriteHeader(&e); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCVE_2014_6407_AddTarBreakout guards against the archive breakout
// class of CVE-2014-6407 (Docker before 1.3.2 followed symlinks and hard
// links of an archive out of the extraction root) and of "zip slip"
// (CWE-22) for ADD, which extracts a local tar into the image: an entry
// named with "..", an absolute name, an entry written through a symlink
// that an earlier entry made to a host directory, and hard links to a host
// file (by ".." and by absolute path). None may write or read anything on
// the host: the build fails naming the entry, or the entry lands inside
// the image, and the image never holds the host file.
func TestCVE_2014_6407_AddTarBreakout(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	h := newCopyHost(t)
	climb := strings.Repeat("../", 20) + strings.TrimPrefix(h.dir, "/")
	for _, tt := range []struct {
		name    string
		entries []tar.Header
		refused bool // the build must fail (else: the entry lands in the image)
	}{
		{"dot-dot name", []tar.Header{{Name: climb + "/escaped", Typeflag: tar.TypeReg}}, true},
		{"dot-dot in the middle", []tar.Header{{Name: "a/../../../" + climb + "/escaped", Typeflag: tar.TypeReg}}, true},
		{"absolute name", []tar.Header{{Name: h.dir + "/escaped", Typeflag: tar.TypeReg}}, false},
		{"write through an absolute symlink", []tar.Header{
			{Name: "evil", Typeflag: tar.TypeSymlink, Linkname: h.dir, Mode: 0o777},
			{Name: "evil/escaped", Typeflag: tar.TypeReg},
		}, false},
		{"write through a climbing symlink", []tar.Header{
			{Name: "evil", Typeflag: tar.TypeSymlink, Linkname: climb, Mode: 0o777},
			{Name: "evil/escaped", Typeflag: tar.TypeReg},
		}, false},
		{"symlink chain", []tar.Header{
			{Name: "l1", Typeflag: tar.TypeSymlink, Linkname: "l2", Mode: 0o777},
			{Name: "l2", Typeflag: tar.TypeSymlink, Linkname: climb, Mode: 0o777},
			{Name: "l1/escaped", Typeflag: tar.TypeReg},
		}, false},
		{"hard link by dot-dot", []tar.Header{{Name: "hl", Typeflag: tar.TypeLink, Linkname: climb + "/secret"}}, true},
		{"hard link by absolute path", []tar.Header{{Name: "hl", Typeflag: tar.TypeLink, Linkname: h.file}}, true},
		{"hard link through a symlink out", []tar.Header{
			{Name: "evil", Typeflag: tar.TypeSymlink, Linkname: h.dir, Mode: 0o777},
			{Name: "hl", Typeflag: tar.TypeLink, Linkname: "evil/secret"},
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := h.context(t, "FROM busybox\nADD evil.tar /dest/\n", map[string]string{})
			if err := os.WriteFile(filepath.Join(ctx, "evil.tar"), hostileTar(t, tt.entries...), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.refused {
				buildMustRefuse(t, d, h, "cve20146407", ctx, "leaves the destination", "is not a file in the image")
				return
			}
			d.OK(t, "build", "-t", "cve20146407", ctx)
			h.checkUntouched(t)
			// A link's target resolves in the image, as Docker resolves
			// it: the entry lands under the image's copy of the path.
			out := d.OK(t, "run", "--rm", "--network", "none", "cve20146407", "find", "/", "-xdev", "-name", "escaped")
			if !strings.Contains(out, "/escaped") {
				t.Errorf("the entry is not in the image: %q", out)
			}
			imageLacks(t, d, "cve20146407", h.sentinel)
		})
	}
}
