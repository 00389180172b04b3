package e2e

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	"github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// markShell is a shell for SHELL whose commands find /marksh-bin/marked
// on their PATH: `marked` succeeds only in a command that this shell runs,
// and fails ("not found") under /bin/sh -c.
const (
	markShell = "#!/bin/sh\nexport PATH=/marksh-bin:$PATH\nexec /bin/sh -c \"$2\"\n"
	marked    = "#!/bin/sh\necho marked-by-marksh\n"
	// markShellJSON is Config.Shell as image and container inspect print it.
	markShellJSON = `["/bin/marksh","-c"]`
)

// inspectField prints one field of image or container inspect as JSON.
func inspectField(t testing.TB, d *daemon.Daemon, kind, field, ref string) string {
	t.Helper()
	return strings.TrimSpace(d.OK(t, kind, "inspect", "-f", "{{json ."+field+"}}", ref))
}

// TestShellInheritedAsDockerDoes follows Docker's config.Shell: SHELL is
// kept in the image; a child image FROM it runs its shell-form RUN, CMD
// and CMD-SHELL health check by that shell; image and container inspect
// show Config.Shell; commit, save and load, and push and pull keep it
// (and the image id); commit --change runs a shell-form CMD by the
// container's shell and refuses SHELL, as Docker's does.
func TestShellInheritedAsDockerDoes(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	parentCtx := writeContext(t, map[string]string{
		"Dockerfile": "FROM " + bb + "\nCOPY --chmod=755 marksh /bin/marksh\nCOPY --chmod=755 marked /marksh-bin/marked\n" +
			`SHELL ["/bin/marksh", "-c"]` + "\n",
		"marksh": markShell,
		"marked": marked,
	})
	d.OK(t, "build", "-t", "sh-parent", parentCtx)
	// The RUN fails unless the inherited shell runs it.
	childCtx := writeContext(t, map[string]string{"Dockerfile": "FROM sh-parent\nRUN marked > /proof\n" +
		"HEALTHCHECK --interval=100ms --timeout=10s --retries=1 CMD marked\nCMD marked\n"})
	d.OK(t, "build", "-t", "sh-child", childCtx)
	// SHELL back to /bin/sh -c: the same check fails.
	resetCtx := writeContext(t, map[string]string{"Dockerfile": "FROM sh-child\n" + `SHELL ["/bin/sh", "-c"]` + "\n"})
	d.OK(t, "build", "-t", "sh-reset", resetCtx)

	t.Run("image inspect", func(t *testing.T) {
		for _, ref := range []string{"sh-parent", "sh-child"} {
			if got := inspectField(t, d, "image", "Config.Shell", ref); got != markShellJSON {
				t.Errorf("%s Config.Shell %s, want %s", ref, got, markShellJSON)
			}
		}
		if got := inspectField(t, d, "image", "Config.Shell", "sh-reset"); got != `["/bin/sh","-c"]` {
			t.Errorf("sh-reset Config.Shell %s", got)
		}
		if got := inspectField(t, d, "image", "Config.Shell", bb); got != "null" {
			t.Errorf("%s, built without SHELL, has Config.Shell %s", bb, got)
		}
		if got := inspectField(t, d, "image", "Config.Cmd", "sh-child"); got != `["/bin/marksh","-c","marked"]` {
			t.Errorf("shell-form CMD stored as %s, want the inherited shell's", got)
		}
	})

	t.Run("RUN and CMD", func(t *testing.T) {
		if got := d.OK(t, "run", "--rm", "sh-child", "cat", "/proof"); got != "marked-by-marksh\n" {
			t.Errorf("/proof = %q", got)
		}
		if got := d.OK(t, "run", "--rm", "sh-child"); got != "marked-by-marksh\n" {
			t.Errorf("the shell-form CMD printed %q", got)
		}
	})

	t.Run("health check by the container's shell", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "marked", "sh-child", "sleep", "1000")
		d.OK(t, "run", "-d", "--name", "reset", "sh-reset", "sleep", "1000")
		if got := inspectField(t, d, "container", "Config.Shell", "marked"); got != markShellJSON {
			t.Errorf("container Config.Shell %s, want the image's %s", got, markShellJSON)
		}
		h := waitHealth(t, d, "marked", api.HealthHealthy)
		if n := len(h.Log); n == 0 || h.Log[n-1].Output != "marked-by-marksh\n" {
			t.Errorf("health log %+v, want the check's output", h.Log)
		}
		h = waitHealth(t, d, "reset", api.HealthUnhealthy)
		if n := len(h.Log); n == 0 || !strings.Contains(h.Log[n-1].Output, "not found") {
			t.Errorf("under /bin/sh -c the check's log is %+v, want marked not found", h.Log)
		}
	})

	t.Run("commit", func(t *testing.T) {
		d.OK(t, "commit", "marked", "sh-committed")
		if got := inspectField(t, d, "image", "Config.Shell", "sh-committed"); got != markShellJSON {
			t.Errorf("committed Config.Shell %s, want %s", got, markShellJSON)
		}
		if got := inspectField(t, d, "image", "Config.Healthcheck.Test", "sh-committed"); got != `["CMD-SHELL","marked"]` {
			t.Errorf("committed Config.Healthcheck.Test %s", got)
		}
		// A shell-form CMD change is run by the container's shell.
		d.OK(t, "commit", "--change", "CMD marked", "marked", "sh-cmd")
		if got := inspectField(t, d, "image", "Config.Cmd", "sh-cmd"); got != `["/bin/marksh","-c","marked"]` {
			t.Errorf("commit --change 'CMD marked' stored Cmd %s, want it run by the container's shell", got)
		}
		r := d.Run(t, "commit", "--change", `SHELL ["/bin/sh", "-c"]`, "marked", "sh-changed")
		if r.Code == 0 || !strings.Contains(r.Stderr, "SHELL") {
			t.Errorf("commit --change SHELL: %v, want it refused naming SHELL (Docker's commit takes no SHELL)", r)
		}
	})

	t.Run("save and load", func(t *testing.T) {
		d.OK(t, "rm", "-f", "marked", "reset")
		archive := filepath.Join(d.Dir, "sh-child.tar")
		d.OK(t, "save", "-o", archive, "sh-child")
		cfgID, cfg := archiveConfig(t, archive)
		if !strings.Contains(string(cfg), `"Shell":`+markShellJSON) {
			t.Errorf("the saved config lacks Docker's Shell: %s", cfg)
		}
		d.OK(t, "rmi", "sh-reset", "sh-child")
		d.OK(t, "load", "-i", archive)
		// The loaded image is the saved config: its id is its digest.
		if got := inspectField(t, d, "image", "Id", "sh-child"); got != `"`+cfgID+`"` {
			t.Errorf("loaded id %s, want the saved config's %s", got, cfgID)
		}
		if got := inspectField(t, d, "image", "Config.Shell", "sh-child"); got != markShellJSON {
			t.Errorf("loaded Config.Shell %s", got)
		}
	})

	t.Run("push and pull", func(t *testing.T) {
		ref := registry.Start(t, registry.Credentials{}) + "/lib/sh-child:1"
		d.OK(t, "image", "tag", "sh-child", ref)
		d.OK(t, "push", ref)
		// Docker reads config.Shell from the pushed config.
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		pushed, err := remote.Image(r)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := pushed.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cf.Config.Shell, " "); got != "/bin/marksh -c" {
			t.Errorf("the pushed config's Shell is %q", got)
		}
		cfgID, err := pushed.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		d.OK(t, "rmi", ref)
		d.OK(t, "rmi", "sh-committed", "sh-cmd", "sh-child")
		d.OK(t, "pull", ref)
		if got := inspectField(t, d, "image", "Id", ref); got != `"`+cfgID.String()+`"` {
			t.Errorf("pulled id %s, want the pushed config's %s", got, cfgID)
		}
		if got := inspectField(t, d, "image", "Config.Shell", ref); got != markShellJSON {
			t.Errorf("pulled Config.Shell %s", got)
		}
	})
}

// archiveConfig returns the id (digest) and bytes of the config of the
// only image of a docker-archive.
func archiveConfig(t testing.TB, archive string) (string, []byte) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg && (h.Name == "manifest.json" || strings.HasSuffix(h.Name, ".json") || strings.HasPrefix(h.Name, "blobs/")) && h.Size < 1<<20 {
			if files[h.Name], err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	var manifest []struct{ Config string }
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json %s: %v", files["manifest.json"], err)
	}
	cfg, ok := files[manifest[0].Config]
	if !ok {
		t.Fatalf("no config %s in the archive", manifest[0].Config)
	}
	return digest.FromBytes(cfg).String(), cfg
}
