package docker

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
)

// listContainers answers ListFiltered with fixed summaries.
type listContainers struct {
	fakeContainers
	list []api.ContainerSummary
}

func (f *listContainers) ListFiltered(context.Context, api.ContainerListOptions) ([]api.ContainerSummary, error) {
	return f.list, nil
}

// TestListHealth: from API 1.52 on, each entry of GET /containers/json has
// Health, "none" for a container without a check (or not running, which
// the service leaves without one); older clients get no Health, as from
// Docker.
func TestListHealth(t *testing.T) {
	fc := &listContainers{list: []api.ContainerSummary{
		{ID: "a", Name: "checked", State: "running", Health: &api.HealthSummary{Status: api.HealthUnhealthy, FailingStreak: 3}},
		{ID: "b", Name: "plain", State: "running"},
	}}
	h := New(Config{Containers: fc})
	for _, tc := range []struct {
		version string
		want    []*container.HealthSummary
	}{
		{"1.52", []*container.HealthSummary{{Status: container.Unhealthy, FailingStreak: 3}, {Status: container.NoHealthcheck}}},
		{"1.57", []*container.HealthSummary{{Status: container.Unhealthy, FailingStreak: 3}, {Status: container.NoHealthcheck}}},
		{"1.51", []*container.HealthSummary{nil, nil}},
		{"1.41", []*container.HealthSummary{nil, nil}},
	} {
		rec := serve(h, "GET", "/v"+tc.version+"/containers/json", "")
		if rec.Code != 200 {
			t.Fatalf("API %s: %d %s", tc.version, rec.Code, rec.Body)
		}
		var got []map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 2 {
			t.Fatalf("API %s: %v %s", tc.version, err, rec.Body)
		}
		for i, want := range tc.want {
			raw, present := got[i]["Health"]
			if want == nil {
				if present {
					t.Errorf("API %s: entry %d has Health %s, want none before 1.52", tc.version, i, raw)
				}
				continue
			}
			var hs container.HealthSummary
			if err := json.Unmarshal(raw, &hs); err != nil || hs != *want {
				t.Errorf("API %s: entry %d Health %s, want %+v", tc.version, i, raw, *want)
			}
		}
	}
}
