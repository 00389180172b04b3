package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	"github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// TestBuildFlags builds through the real daemon with Docker's build
// flags: --label, --iidfile, --progress, a context or a Dockerfile on
// stdin (build -), and --pull against a registry on 127.0.0.1.
func TestBuildFlags(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)

	t.Run("--label and --iidfile", func(t *testing.T) {
		ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nLABEL from.file=1\n"})
		iid := filepath.Join(t.TempDir(), "iid")
		plain := d.OK(t, "build", "-t", "labelled", "--label", "a=b", "--label", "from.file=2", "--iidfile", iid, "--progress", "plain", ctx)
		if !strings.Contains(plain, "#1 [1/2] FROM busybox\n") || !strings.Contains(plain, "#2 [2/2] LABEL from.file=1\n") {
			t.Errorf("--progress plain printed:\n%s\nwant BuildKit's #N [N/M] INSTRUCTION lines", plain)
		}
		b, err := os.ReadFile(iid)
		if err != nil || !strings.HasPrefix(string(b), "sha256:") || len(b) != 71 {
			t.Fatalf("--iidfile holds %q (%v), want sha256:<64 hex>", b, err)
		}
		out := d.OK(t, "image", "inspect", "--format", "{{json .Config.Labels}}", "labelled")
		var labels map[string]string
		if err := json.Unmarshal([]byte(out), &labels); err != nil {
			t.Fatalf("labels %q: %v", out, err)
		}
		if labels["a"] != "b" || labels["from.file"] != "2" {
			t.Errorf("labels = %v, want a=b and from.file=2 (the flag over the Dockerfile)", labels)
		}
		if id := strings.TrimSpace(d.OK(t, "image", "inspect", "--format", "{{.Id}}", "labelled")); id != string(b) {
			t.Errorf("--iidfile %s, image id %s", b, id)
		}
		if r := d.Run(t, "build", "--progress", "fancy", ctx); r.Code == 0 {
			t.Errorf("--progress fancy accepted: %v", r)
		}
	})

	t.Run("build - with a tar context", func(t *testing.T) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for name, content := range map[string]string{"Dockerfile": "FROM busybox\nCOPY hello /hello\n", "hello": "from the tar\n"} {
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
			tw.Write([]byte(content))
		}
		tw.Close()
		if r := d.Exec(buildTimeout, &buf, "build", "-t", "fromtar", "-"); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		if got := d.OK(t, "run", "--rm", "fromtar", "cat", "/hello"); got != "from the tar\n" {
			t.Errorf("/hello = %q", got)
		}
		// -f names a file of the archive.
		buf.Reset()
		tw = tar.NewWriter(&buf)
		for name, content := range map[string]string{"sub/Dockerfile.dev": "FROM busybox\nCOPY hello /dev-hello\n", "hello": "dev\n"} {
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
			tw.Write([]byte(content))
		}
		tw.Close()
		if r := d.Exec(buildTimeout, &buf, "build", "-t", "fromtar-f", "-f", "sub/Dockerfile.dev", "-"); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		if got := d.OK(t, "run", "--rm", "fromtar-f", "cat", "/dev-hello"); got != "dev\n" {
			t.Errorf("/dev-hello = %q", got)
		}
	})

	t.Run("build - with a Dockerfile", func(t *testing.T) {
		r := d.Exec(buildTimeout, strings.NewReader("FROM busybox\nRUN echo text > /t\n"), "build", "-t", "fromtext", "-")
		if r.Code != 0 {
			t.Fatalf("%v", r)
		}
		if got := d.OK(t, "run", "--rm", "fromtext", "cat", "/t"); got != "text\n" {
			t.Errorf("/t = %q", got)
		}
		r = d.Exec(buildTimeout, strings.NewReader("FROM busybox\nCOPY x /x\n"), "build", "-t", "nocontext", "-")
		if r.Code == 0 {
			t.Errorf("a Dockerfile on stdin had a context to COPY from: %v", r)
		}
	})

	t.Run("--pull", func(t *testing.T) {
		reg := registry.Start(t, registry.Credentials{})
		ref := reg + "/lib/base:1"
		// The registry's image differs from the store's under the same name.
		d.OK(t, "image", "tag", "busybox", ref)
		d.OK(t, "push", ref)
		newer := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo newer > /version\n"})
		d.OK(t, "build", "-t", ref, newer)
		d.OK(t, "push", ref)
		d.OK(t, "image", "tag", "busybox", ref)

		ctx := writeContext(t, map[string]string{"Dockerfile": "FROM " + ref + "\nRUN cat /version > /seen 2>/dev/null || echo none > /seen\n"})
		d.OK(t, "build", "-t", "nopull", ctx)
		if got := d.OK(t, "run", "--rm", "nopull", "cat", "/seen"); got != "none\n" {
			t.Errorf("without --pull the build used %q, want the store's image", got)
		}
		d.OK(t, "build", "--pull", "-t", "pulled", ctx)
		if got := d.OK(t, "run", "--rm", "pulled", "cat", "/seen"); got != "newer\n" {
			t.Errorf("with --pull the build saw %q, want the registry's newer image", got)
		}
	})
}

// TestImageHistory reads a built image's history through the real daemon
// in Docker's form: newest first, the image's id on the newest row and
// <missing> on the others, the RUN step's layer size, and -q, --no-trunc,
// --human=false and --format with Docker's field names.
func TestImageHistory(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN head -c 100000 /dev/zero > /big\nENV A=1\nCMD [\"sh\"]\n"})
	d.OK(t, "build", "-t", "hist", ctx)
	id := strings.TrimSpace(d.OK(t, "image", "inspect", "--format", "{{.Id}}", "hist"))

	lines := strings.Split(strings.TrimSpace(d.OK(t, "history", "hist")), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "IMAGE") || !strings.Contains(lines[0], "CREATED BY") || !strings.Contains(lines[0], "SIZE") {
		t.Fatalf("history:\n%s", strings.Join(lines, "\n"))
	}
	short := strings.TrimPrefix(id, "sha256:")[:12]
	if !strings.HasPrefix(lines[1], short) || !strings.Contains(lines[1], "CMD") {
		t.Errorf("the newest row is %q, want the image's id %s and the CMD", lines[1], short)
	}
	if !strings.HasPrefix(lines[2], "<missing>") || !strings.Contains(lines[2], "ENV A=1") {
		t.Errorf("the second row is %q, want <missing> and ENV A=1", lines[2])
	}

	rows := strings.Split(strings.TrimSpace(d.OK(t, "history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.CreatedSince}}|{{.Comment}}", "hist")), "\n")
	var run string
	for _, r := range rows {
		if strings.Contains(r, "RUN /bin/sh -c head") {
			run = r
		}
	}
	if run == "" || !strings.Contains(run, "kB|") {
		t.Errorf("no RUN row with its layer size in kB: %q", rows)
	}
	q := strings.Fields(d.OK(t, "history", "-q", "hist"))
	if len(q) != len(rows) || q[0] != short {
		t.Errorf("-q printed %q, want %d ids starting with %s", q, len(rows), short)
	}
	full := strings.Fields(d.OK(t, "history", "-q", "--no-trunc", "hist"))
	if len(full) == 0 || full[0] != id {
		t.Errorf("-q --no-trunc printed %q, want %s first", full, id)
	}
	sizes := d.OK(t, "history", "--human=false", "--format", "{{.Size}}", "hist")
	if !strings.Contains(sizes, "1") || strings.Contains(sizes, "B") {
		t.Errorf("--human=false sizes %q, want bytes", sizes)
	}
}
