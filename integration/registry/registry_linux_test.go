package registry

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	testregistry "github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// The credentials of the registry with basic auth.
var creds = testregistry.Credentials{User: "alice", Password: "s3cret-pa55"}

// writeContext writes a build context holding only a Dockerfile.
func writeContext(t testing.TB, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPushPullSaveLoad pushes an imported busybox and pulls it back
// (as the base of what follows), builds an image on it (with a startup
// command, the seed's ENTRYPOINT), pushes it, removes it, pulls it back,
// runs it and compares ids; then save, rmi, load, run in both archive
// formats; then a Dockerfile whose FROM names the registry builds by
// pulling.
func TestPushPullSaveLoad(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Credentials{})
	d := startDaemon(t)
	d.Busybox(t)

	// An imported layer is pushed as this engine renders it, not as the
	// tar it came from: the pulled image is the registry's (its config
	// digest), and pushing it again gives the same manifest.
	base := reg + "/lib/busybox:1"
	d.OK(t, "image", "tag", "busybox", base)
	baseDigest := strings.TrimSpace(d.OK(t, "push", base))
	d.OK(t, "rmi", base)
	if got, want := strings.TrimSpace(d.OK(t, "pull", base)), configDigest(t, base); got != want {
		t.Errorf("the pulled base's id is %s, the registry's config digest %s", got, want)
	}
	if again := strings.TrimSpace(d.OK(t, "push", base)); again != baseDigest {
		t.Errorf("pushing the pulled base gave manifest %s, the first push %s", again, baseDigest)
	}

	ref := reg + "/x/y:1"
	// Docker's build form with the directive that keeps the seed's
	// meaning: the startup command must survive the round trips.
	dir := writeContext(t, "# entrypoint=seed\nFROM "+base+`
RUN echo built > /built
ENTRYPOINT ["sh", "-c", "echo started > /tmp/started"]
CMD ["cat", "/built", "/tmp/started"]
`)
	d.OK(t, "build", "-t", ref, dir)
	id := imageID(t, d, ref)
	const want = "built\nstarted\n"
	if out := runOut(t, d, ref); out != want {
		t.Fatalf("the built image printed %q, want %q", out, want)
	}

	dg := strings.TrimSpace(d.OK(t, "push", ref))
	if !strings.HasPrefix(dg, "sha256:") || len(dg) != 71 {
		t.Fatalf("push printed %q, want the manifest digest", dg)
	}
	d.OK(t, "rmi", ref)
	if r := d.Run(t, "image", "inspect", ref); r.Code == 0 {
		t.Fatalf("the image is still there after rmi: %v", r)
	}
	r := d.Run(t, "pull", ref)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	if got := strings.TrimSpace(r.Stdout); got != id {
		t.Errorf("pulled image id %s, pushed %s", got, id)
	}
	if !strings.Contains(r.Stderr, "Digest: "+dg) {
		t.Errorf("the pull does not report the pushed digest %s:\n%s", dg, r.Stderr)
	}
	if out := runOut(t, d, ref); out != want {
		t.Errorf("the pulled image printed %q, want %q", out, want)
	}
	img, err := d.Client.ImageInspect(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(img.StartupCommands) != 1 || len(img.Config.Entrypoint) != 0 {
		t.Errorf("the pulled image has startup commands %q and entrypoint %q; want the built image's one startup command and no entrypoint",
			img.StartupCommands, img.Config.Entrypoint)
	}
	// Everything is in the store: nothing is downloaded.
	if r := d.Run(t, "image", "pull", ref); r.Code != 0 || !strings.Contains(r.Stderr, "Already exists") || strings.Contains(r.Stderr, "Downloading") {
		t.Errorf("a second pull: %v", r)
	}

	t.Run("save and load", func(t *testing.T) {
		archive := filepath.Join(d.Dir, "y.tar")
		d.OK(t, "save", "-o", archive, ref)
		d.OK(t, "rmi", ref)
		if out := d.OK(t, "load", "-i", archive); !strings.Contains(out, "Loaded image: "+ref) {
			t.Errorf("load printed %q", out)
		}
		if got := imageID(t, d, ref); got != id {
			t.Errorf("loaded image id %s, saved %s", got, id)
		}
		if out := runOut(t, d, ref); out != want {
			t.Errorf("the loaded image printed %q, want %q", out, want)
		}
	})
	t.Run("oci archive through stdout and stdin", func(t *testing.T) {
		r := d.Run(t, "image", "save", "--format", "oci", ref)
		if r.Code != 0 || !strings.Contains(r.Stdout, "oci-layout") || strings.Contains(r.Stdout, "manifest.json") {
			t.Fatalf("save --format oci: exit %d, stderr %s", r.Code, r.Stderr)
		}
		d.OK(t, "rmi", ref)
		if r := d.Exec(daemon.CmdTimeout, strings.NewReader(r.Stdout), "image", "load"); r.Code != 0 || !strings.Contains(r.Stdout, "Loaded image: "+ref) {
			t.Fatalf("%v", r)
		}
		if got := imageID(t, d, ref); got != id {
			t.Errorf("loaded image id %s, saved %s", got, id)
		}
	})
	t.Run("FROM pulls", func(t *testing.T) {
		d.OK(t, "rmi", ref)
		dir := writeContext(t, "FROM "+ref+"\nCMD [\"cat\", \"/built\"]\n")
		r := d.Run(t, "build", "-t", "derived", dir)
		if r.Code != 0 {
			t.Fatalf("%v", r)
		}
		if !strings.Contains(r.Stdout+r.Stderr, "Pulling "+ref) {
			t.Errorf("the build does not say it pulls:\n%s%s", r.Stdout, r.Stderr)
		}
		if got := imageID(t, d, ref); got != id {
			t.Errorf("the build pulled image id %s, pushed %s", got, id)
		}
		if out := runOut(t, d, "derived"); out != "built\n" {
			t.Errorf("the derived image printed %q", out)
		}
		missing := writeContext(t, "FROM "+reg+"/x/none:1\n")
		if r := d.Run(t, "build", "-t", "none", missing); r.Code == 0 || !strings.Contains(r.Stderr, "not found") {
			t.Errorf("FROM a missing remote image: %v", r)
		}
	})
}

// TestPulledImageConfig pushes an image made elsewhere (with
// go-containerregistry) whose config has an OCI Entrypoint, Cmd,
// WorkingDir and Env, pulls it and runs it: Docker's meaning.
func TestPulledImageConfig(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Credentials{})
	d := startDaemon(t)
	ref := reg + "/oci/echo:1"
	pushForeign(t, d.Dir, ref)

	id := strings.TrimSpace(d.OK(t, "pull", ref))
	if id != imageID(t, d, ref) {
		t.Errorf("pull printed %s, inspect says %s", id, imageID(t, d, ref))
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"entrypoint and cmd", []string{ref}, "hello world\n"},
		{"cmd replaced", []string{ref, "again"}, "hello again\n"},
		{"entrypoint replaced drops cmd", []string{"--entrypoint", "pwd", ref}, "/srv\n"},
		{"env", []string{"--entrypoint", "sh", ref, "-c", "echo $GREETING"}, "hi\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := runOut(t, d, tt.args...); out != tt.want {
				t.Errorf("printed %q, want %q", out, tt.want)
			}
		})
	}
	img, err := d.Client.ImageInspect(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.Config.Entrypoint, []string{"/bin/echo", "hello"}) || !slices.Equal(img.Config.Cmd, []string{"world"}) || len(img.StartupCommands) != 0 {
		t.Errorf("inspect: entrypoint %q, cmd %q, startup commands %q", img.Config.Entrypoint, img.Config.Cmd, img.StartupCommands)
	}
}

// configDigest returns the digest of the config of the image ref in its
// registry.
func configDigest(t testing.TB, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("reading %s from the registry: %v", ref, err)
	}
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

// pushForeign pushes to ref, with go-containerregistry, busybox's root
// filesystem with Entrypoint ["/bin/echo", "hello"], Cmd ["world"],
// WorkingDir /srv and GREETING=hi.
func pushForeign(t testing.TB, dir, ref string) {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	rootfs := filepath.Join(dir, "foreign")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(rootfs, "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "foreign.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarPath, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	layer, err := tarball.LayerFromFile(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", goruntime.GOARCH
	cf.Config.Entrypoint = []string{"/bin/echo", "hello"}
	cf.Config.Cmd = []string{"world"}
	cf.Config.WorkingDir = "/srv"
	cf.Config.Env = []string{"PATH=/bin", "GREETING=hi"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("pushing the foreign image: %v", err)
	}
}

// TestLogin checks login against a registry with basic auth: a wrong
// password is a clear error that stores nothing; the right one is stored
// (and never logged) and used by push and pull; logout forgets it.
func TestLogin(t *testing.T) {
	reg := testregistry.Start(t, creds)
	d := startDaemon(t)
	d.Busybox(t)
	ref := reg + "/private/bb:1"
	d.OK(t, "image", "tag", "busybox", ref)
	authFile := filepath.Join(d.Root, "auth.json")

	if r := d.Run(t, "push", ref); r.Code == 0 || !strings.Contains(r.Stderr, "unauthorized") {
		t.Errorf("push without credentials: %v", r)
	}
	r := d.Exec(daemon.CmdTimeout, strings.NewReader("wrong\n"), "login", "-u", creds.User, "--password-stdin", reg)
	if r.Code == 0 || !strings.Contains(r.Stderr, "unauthorized") || !strings.Contains(r.Stderr, reg) {
		t.Errorf("login with a wrong password: %v", r)
	}
	if _, err := os.Stat(authFile); err == nil {
		t.Error("a refused login stored credentials")
	}
	_, err := d.Client.Login(t.Context(), api.LoginRequest{Registry: reg, Username: creds.User, Password: "wrong"})
	if !errors.Is(err, errdefs.ErrUnauthorized) {
		t.Errorf("the client's error %v is not ErrUnauthorized", err)
	}

	if out := d.OK(t, "login", "-u", creds.User, "-p", creds.Password, reg); out != "Login Succeeded\n" {
		t.Errorf("login printed %q", out)
	}
	if fi, err := os.Stat(authFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file: %v, %v; want mode 0600", fi, err)
	}
	d.OK(t, "push", ref)
	d.OK(t, "rmi", ref)
	d.OK(t, "pull", ref)
	if out := d.OK(t, "logout", reg); !strings.Contains(out, "Removing login credentials for "+reg) {
		t.Errorf("logout printed %q", out)
	}
	if r := d.Run(t, "pull", ref); r.Code == 0 || !strings.Contains(r.Stderr, "unauthorized") {
		t.Errorf("pull after logout: %v", r)
	}
	if out := d.OK(t, "logout", reg); !strings.Contains(out, "Not logged in") {
		t.Errorf("a second logout printed %q", out)
	}
	if bytes.Contains([]byte(fullLog(t, d)), []byte(creds.Password)) {
		t.Error("the daemon logged the password")
	}
}
