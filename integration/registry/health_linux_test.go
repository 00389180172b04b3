package registry

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	testregistry "github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// TestHealthcheckThroughRegistry checks that Docker's config.Healthcheck
// crosses a registry both ways: an image made elsewhere with one is
// pulled with it and its containers run the check; an image built here
// with HEALTHCHECK is pushed with it where Docker reads it.
func TestHealthcheckThroughRegistry(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Credentials{})
	d := startDaemon(t)

	// Made elsewhere: go-containerregistry writes Docker's field.
	foreign := reg + "/oci/checked:1"
	pushForeign(t, d.Dir, reg+"/oci/plain:1")
	r, err := name.ParseReference(reg + "/oci/plain:1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "/bin/true"}, Interval: 100 * time.Millisecond, Retries: 2}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	fr, err := name.ParseReference(foreign)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(fr, img); err != nil {
		t.Fatal(err)
	}
	d.OK(t, "pull", foreign)
	ii, err := d.Client.ImageInspect(t.Context(), foreign)
	if err != nil {
		t.Fatal(err)
	}
	if hc := ii.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD", "/bin/true"}) || hc.Interval != 100*time.Millisecond || hc.Retries != 2 {
		t.Fatalf("pulled image's health check %+v", hc)
	}
	d.OK(t, "run", "-d", "--name", "pulled", "--network", "none", "--entrypoint", "sleep", foreign, "1000")
	testutil.WaitFor(t, time.Minute, "the pulled image's check", func() bool {
		h := d.Inspect(t, "pulled").StateDetail.Health
		return h != nil && h.Status == api.HealthHealthy
	})
	d.OK(t, "rm", "-f", "pulled")

	// Built here, pushed: Docker's field in the registry's config.
	ctx := writeContext(t, "FROM "+foreign+"\nHEALTHCHECK --timeout=3s CMD test -d /srv\n")
	built := reg + "/lib/checked:2"
	d.OK(t, "build", "-t", built, ctx)
	d.OK(t, "push", built)
	br, err := name.ParseReference(built)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := remote.Image(br)
	if err != nil {
		t.Fatal(err)
	}
	pcf, err := pushed.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if hc := pcf.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "test -d /srv"}) || hc.Timeout != 3*time.Second {
		t.Errorf("pushed config's Healthcheck %+v", hc)
	}
	// And back: the pulled image is the config pushed (its id is that
	// config's digest), health check included. (The built image's own id
	// differs: the foreign base layer was pushed as this engine renders
	// it.)
	cn, err := pushed.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	d.OK(t, "rmi", built)
	d.OK(t, "pull", built)
	if got := imageID(t, d, built); got != cn.String() {
		t.Errorf("pulled back as %s, the pushed config is %s", got, cn)
	}
	back, err := d.Client.ImageInspect(t.Context(), built)
	if err != nil {
		t.Fatal(err)
	}
	if hc := back.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "test -d /srv"}) {
		t.Errorf("pulled back with health check %+v", hc)
	}
	os.RemoveAll(filepath.Join(d.Dir, "foreign"))
}
