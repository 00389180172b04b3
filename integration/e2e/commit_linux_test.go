package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDiffExportCommitImport drives diff, export, commit and import (and
// `image import`) through the real daemon and CLI: Docker's A/C/D lines,
// a tar of the whole filesystem, an image made of a container's changes
// with its config and --change applied, and a tar made an image with
// --change and -m; on a stopped and on a running container.
func TestDiffExportCommitImport(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	changes := "mkdir -p /newdir && echo new > /newdir/file && echo changed > /etc/group && rm /bin/uname && touch /etc/added"
	d.OK(t, "run", "--name", "stopped", "--network", "none", "-e", "FROMRUN=1", "--label", "l=v",
		"-w", "/newdir", img, "sh", "-c", changes)
	d.OK(t, "run", "-d", "--name", "running", "--network", "none", img, "sh", "-c",
		"echo live > /live && touch /ready && exec sleep 1000")
	testutil.WaitFor(t, 30*time.Second, "the running container's file", func() bool {
		return d.Run(t, "exec", "running", "test", "-e", "/ready").Code == 0
	})

	t.Run("diff", func(t *testing.T) {
		// Docker's output: sorted by path, parents of changes as C, the
		// runtime's mount points (/etc/hosts, /proc...) left out.
		want := "C /bin\nD /bin/uname\nC /etc\nA /etc/added\nC /etc/group\nA /newdir\nA /newdir/file\n"
		if got := d.OK(t, "diff", "stopped"); got != want {
			t.Errorf("diff stopped:\n%s\nwant:\n%s", got, want)
		}
		if got := d.OK(t, "container", "diff", "running"); got != "A /live\nA /ready\n" {
			t.Errorf("diff running:\n%s", got)
		}
		if r := d.Run(t, "diff", "nosuch"); r.Code != 1 || !strings.Contains(r.Stderr, "no such container") {
			t.Errorf("diff of a missing container: %s", r)
		}
	})

	t.Run("export", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "fs.tar")
		d.OK(t, "export", "-o", out, "stopped")
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		names := tarNames(t, string(b))
		for _, want := range []string{"newdir/file", "etc/added", "bin/sh", "bin/"} {
			if !slices.Contains(names, want) {
				t.Errorf("export lacks %s", want)
			}
		}
		if slices.Contains(names, "bin/uname") {
			t.Errorf("export holds the deleted bin/uname")
		}
		r := d.Run(t, "container", "export", "running")
		if r.Code != 0 || !slices.Contains(tarNames(t, r.Stdout), "live") {
			t.Errorf("export of a running container: %v", r.Code)
		}
	})

	t.Run("commit", func(t *testing.T) {
		id := strings.TrimSpace(d.OK(t, "commit", "-m", "my message", "-a", "Jane <j@example.com>",
			"-c", "CMD [\"cat\", \"/newdir/file\"]", "--change", "ENV ADDED=yes", "-c", "EXPOSE 8080",
			"stopped", "committed:v1"))
		if !strings.HasPrefix(id, "sha256:") {
			t.Fatalf("commit printed %q", id)
		}
		if got := d.OK(t, "run", "--rm", "--network", "none", "committed:v1"); got != "new\n" {
			t.Errorf("the committed image's CMD printed %q", got)
		}
		got := d.OK(t, "run", "--rm", "--network", "none", "committed:v1", "sh", "-c",
			"echo $FROMRUN $ADDED; pwd; cat /etc/group; test -e /bin/uname || echo gone")
		if got != "1 yes\n/newdir\nchanged\ngone\n" {
			t.Errorf("in the committed image: %q", got)
		}
		cfg := d.OK(t, "image", "inspect", "--format", "{{json .Config.Labels}} {{json .Config.ExposedPorts}}", "committed:v1")
		if cfg != `{"l":"v"} {"8080/tcp":{}}`+"\n" {
			t.Errorf("committed config: %q", cfg)
		}
		// The image holds the container's changes and nothing the runtime
		// made for its mounts (/etc/hosts, /proc...), as diff shows.
		base, committed := map[string]bool{}, map[string]bool{}
		for _, n := range tarNames(t, d.Run(t, "image", "export", img).Stdout) {
			base[n] = true
		}
		var added []string
		for _, n := range tarNames(t, d.Run(t, "image", "export", "committed:v1").Stdout) {
			committed[n] = true
			if !base[n] {
				added = append(added, n)
			}
		}
		if !slices.Equal(added, []string{"etc/added", "newdir/", "newdir/file"}) || committed["bin/uname"] {
			t.Errorf("the committed image adds %q to its image (bin/uname kept: %v)", added, committed["bin/uname"])
		}
		if hist := d.OK(t, "history", "--no-trunc", "committed:v1"); !strings.Contains(hist, "my message") {
			t.Errorf("history lacks the message:\n%s", hist)
		}
		// A running container: paused while its layer is read, running
		// again afterwards.
		d.OK(t, "commit", "running", "committed:live")
		if got := d.OK(t, "run", "--rm", "--network", "none", "committed:live", "cat", "/live"); got != "live\n" {
			t.Errorf("committed running container: %q", got)
		}
		if st := d.Inspect(t, "running").State; st != "running" {
			t.Errorf("after commit the container is %s", st)
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"commit", "-c", "FROM busybox", "stopped"}, "FROM is not an instruction"},
			{[]string{"commit", "-c", "EXPOSE 99999", "stopped"}, "not a port"},
			{[]string{"commit", "stopped", "Bad:Name"}, "invalid"},
			{[]string{"commit", "nosuch"}, "no such container"},
		} {
			if r := d.Run(t, c.args...); r.Code != 1 || !strings.Contains(strings.ToLower(r.Stderr), strings.ToLower(c.want)) {
				t.Errorf("%q: want exit 1 and %q: %s", c.args, c.want, r)
			}
		}
	})

	t.Run("user namespace", func(t *testing.T) {
		// The container's files carry host ids of its range; the image
		// and the export carry the container's own.
		if err := os.Chmod(d.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		d.OK(t, "run", "--name", "userns", "--userns", "private", "--network", "none", img, "sh", "-c",
			"echo u > /owned && chown 5:6 /owned && echo r > /rootfile")
		if got := d.OK(t, "diff", "userns"); got != "A /owned\nA /rootfile\n" {
			t.Errorf("diff of the userns container: %q", got)
		}
		d.OK(t, "commit", "userns", "fromuserns")
		if got := d.OK(t, "run", "--rm", "--network", "none", "fromuserns", "stat", "-c", "%u:%g", "/owned", "/rootfile", "/bin"); got != "5:6\n0:0\n0:0\n" {
			t.Errorf("owners in the image committed from a userns container: %q", got)
		}
		r := d.Run(t, "export", "userns")
		for _, h := range tarHeaders(t, r.Stdout) {
			if (h.Name == "owned" && (h.Uid != 5 || h.Gid != 6)) || (h.Name == "rootfile" && (h.Uid != 0 || h.Gid != 0)) {
				t.Errorf("export of the userns container: %s owned by %d:%d", h.Name, h.Uid, h.Gid)
			}
		}
	})

	t.Run("import", func(t *testing.T) {
		r := d.Run(t, "export", "stopped")
		if r.Code != 0 {
			t.Fatal(r)
		}
		tarFile := filepath.Join(t.TempDir(), "fs.tar")
		os.WriteFile(tarFile, []byte(r.Stdout), 0o644)
		id := strings.TrimSpace(d.OK(t, "import", "-c", "ENTRYPOINT [\"cat\"]", "-c", "WORKDIR /newdir",
			"-m", "imported it", tarFile, "imported:v1"))
		if !strings.HasPrefix(id, "sha256:") {
			t.Fatalf("import printed %q", id)
		}
		if got := d.OK(t, "run", "--rm", "--network", "none", "imported:v1", "file"); got != "new\n" {
			t.Errorf("the imported image's ENTRYPOINT and WORKDIR: %q", got)
		}
		if hist := d.OK(t, "history", "--no-trunc", "imported:v1"); !strings.Contains(hist, "imported it") {
			t.Errorf("history lacks the message:\n%s", hist)
		}
		// stdin, and the older `image import` verb.
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader([]byte(r.Stdout)), "import", "-", "fromstdin"); r.Code != 0 {
			t.Errorf("import -: %s", r)
		}
		d.OK(t, "image", "import", tarFile, "viaimage")
		if got := d.OK(t, "run", "--rm", "--network", "none", "viaimage", "cat", "/newdir/file"); got != "new\n" {
			t.Errorf("image import: %q", got)
		}
		if r := d.Run(t, "import", "https://example.com/fs.tar"); r.Code != 1 || !strings.Contains(r.Stderr, "URL") {
			t.Errorf("import of a URL: %s", r)
		}
		if r := d.Run(t, "import", "-c", "ONBUILD RUN x", tarFile); r.Code != 1 || !strings.Contains(r.Stderr, "ONBUILD is not an instruction") {
			t.Errorf("import with a bad change: %s", r)
		}
	})
}
