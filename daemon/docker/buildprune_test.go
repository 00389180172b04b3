package docker

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/moby/moby/api/types/build"

	"github.com/container-runtime/container-runtime/api"
)

// pruneImages counts the build cache prunes.
type pruneImages struct {
	dfImages
	prunes int
}

func (p *pruneImages) PruneBuildCache(context.Context) (api.PruneReport, error) {
	p.prunes++
	return api.PruneReport{Deleted: []string{"sha256:aa", "sha256:bb"}, SpaceReclaimed: 4096}, nil
}

// TestBuildPrune: POST /build/prune forgets our build cache and answers
// Docker's report (the clients' default query: keep-storage=0, no
// filters); limits and filters that would keep part of it are refused.
func TestBuildPrune(t *testing.T) {
	imgs := &pruneImages{}
	h := New(Config{Containers: &listContainers{}, Images: imgs})
	for _, target := range []string{"/v1.41/build/prune?keep-storage=0&filters=", "/v1.57/build/prune?all=1&filters=%7B%7D"} {
		rec := serve(h, "POST", target, "")
		var rep build.CachePruneReport
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); rec.Code != 200 || err != nil {
			t.Fatalf("POST %s: %d %v %s", target, rec.Code, err, rec.Body)
		}
		if len(rep.CachesDeleted) != 2 || rep.CachesDeleted[0] != "sha256:aa" || rep.SpaceReclaimed != 4096 {
			t.Errorf("POST %s: %+v", target, rep)
		}
	}
	if imgs.prunes != 2 {
		t.Errorf("%d prunes of the build cache, want 2", imgs.prunes)
	}
	for _, target := range []string{"/v1.41/build/prune?keep-storage=1000", "/v1.57/build/prune?reserved-space=1",
		"/v1.57/build/prune?filters=%7B%22until%22%3A%5B%2224h%22%5D%7D", "/v1.57/build/prune?max-used-space=x"} {
		if rec := serve(h, "POST", target, ""); rec.Code != 400 || errorMessage(rec.Body.Bytes()) == "" {
			t.Errorf("POST %s: %d %s, want 400", target, rec.Code, rec.Body)
		}
	}
	if imgs.prunes != 2 {
		t.Errorf("a refused prune pruned")
	}
}
