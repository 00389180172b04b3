package daemon

import (
	"context"
	"net/http"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// cachePruner answers a build cache prune.
type cachePruner struct {
	fakeImages
	prunes int
}

func (p *cachePruner) PruneBuildCache(context.Context) (api.PruneReport, error) {
	p.prunes++
	return api.PruneReport{Deleted: []string{"sha256:aa"}, SpaceReclaimed: 512}, nil
}

// TestBuildPrune: POST /v1/build/prune prunes the build cache alone and
// answers its PruneReport.
func TestBuildPrune(t *testing.T) {
	imgs := &cachePruner{}
	d := startDaemon(t, Config{Containers: &fakeContainers{}, Images: imgs})
	resp := d.do(t, "POST", "/v1/build/prune", nil)
	var rep api.PruneReport
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %+v", resp.StatusCode, apiError(t, resp))
	}
	decodeBody(t, resp, &rep)
	if imgs.prunes != 1 || len(rep.Deleted) != 1 || rep.Deleted[0] != "sha256:aa" || rep.SpaceReclaimed != 512 {
		t.Errorf("%d prunes, report %+v", imgs.prunes, rep)
	}
}
