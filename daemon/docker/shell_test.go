package docker

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
)

// shellImages knows one image, with a SHELL and a HEALTHCHECK.
type shellImages struct{ daemon.ImageService }

func (shellImages) Inspect(context.Context, string) (api.ImageInspect, error) {
	return api.ImageInspect{
		ImageSummary: api.ImageSummary{ID: "sha256:1", Names: []string{"docker.io/library/sh:latest"}},
		Config: api.ImageConfig{
			Shell:       []string{"/bin/sh", "-xc"},
			Healthcheck: &api.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second, Retries: 2},
		},
	}, nil
}

// shellContainers is fakeContainers whose c1 has the image's shell.
type shellContainers struct{ fakeContainers }

func (f *shellContainers) Inspect(ctx context.Context, id string) (api.ContainerInspect, error) {
	c, err := f.fakeContainers.Inspect(ctx, id)
	c.Config.Shell = []string{"/bin/sh", "-xc"}
	return c, err
}

// TestInspectShell: image inspect's Config carries Docker's Shell and
// Healthcheck, container inspect's Config the container's Shell.
func TestInspectShell(t *testing.T) {
	h := New(Config{Containers: &shellContainers{}, Images: shellImages{}})
	want := []string{"/bin/sh", "-xc"}

	rec := serve(h, "GET", "/v1.47/images/sh/json", "")
	var ii image.InspectResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &ii); rec.Code != 200 || err != nil || ii.Config == nil {
		t.Fatalf("image inspect: %d %v %s", rec.Code, err, rec.Body)
	}
	if !slices.Equal(ii.Config.Shell, want) {
		t.Errorf("image Config.Shell %q, want %q", ii.Config.Shell, want)
	}
	if hc := ii.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "true"}) || hc.Interval != time.Second || hc.Retries != 2 {
		t.Errorf("image Config.Healthcheck %+v", hc)
	}

	rec = serve(h, "GET", "/v1.47/containers/c1/json", "")
	var ci container.InspectResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &ci); rec.Code != 200 || err != nil || ci.Config == nil {
		t.Fatalf("container inspect: %d %v %s", rec.Code, err, rec.Body)
	}
	if !slices.Equal(ci.Config.Shell, want) {
		t.Errorf("container Config.Shell %q, want %q", ci.Config.Shell, want)
	}
}
