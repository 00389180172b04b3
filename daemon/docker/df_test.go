package docker

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
)

// dfImages answers the image side of system df: nothing.
type dfImages struct{ daemon.ImageService }

func (dfImages) DiskUsage(context.Context) (api.DiskUsage, error) { return api.DiskUsage{}, nil }
func (dfImages) List(context.Context) ([]api.ImageSummary, error) { return nil, nil }

// dfVolumes knows three volumes: one used, one unused, one that could
// not be measured.
type dfVolumes struct{ daemon.VolumeService }

func (dfVolumes) List(context.Context, api.VolumeListOptions) ([]api.Volume, error) {
	return []api.Volume{{Name: "used", UsedBy: []string{"c1", "c2"}}, {Name: "spare"}, {Name: "broken"}}, nil
}

func (dfVolumes) DiskUsage(context.Context) ([]api.VolumeUsage, error) {
	return []api.VolumeUsage{{Name: "used", Size: 1000, RefCount: 2}, {Name: "spare", Size: 300}, {Name: "broken", Size: -1}}, nil
}

// TestDiskUsageVolumes: GET /system/df gives each volume its own size
// and reference count (-1 only for the one that could not be measured),
// in both shapes; the 1.52 shape sums them, the unused ones reclaimable.
func TestDiskUsageVolumes(t *testing.T) {
	h := New(Config{Containers: &listContainers{}, Images: dfImages{}, Volumes: dfVolumes{}})
	want := map[string]volume.UsageData{"used": {Size: 1000, RefCount: 2}, "spare": {Size: 300}, "broken": {Size: -1}}
	check := func(version string, vols []volume.Volume) {
		t.Helper()
		if len(vols) != len(want) {
			t.Fatalf("API %s: %d volumes, want %d", version, len(vols), len(want))
		}
		for _, v := range vols {
			if v.UsageData == nil || *v.UsageData != want[v.Name] {
				t.Errorf("API %s: volume %s UsageData %+v, want %+v", version, v.Name, v.UsageData, want[v.Name])
			}
		}
	}

	rec := serve(h, "GET", "/v1.41/system/df", "")
	var old struct{ Volumes []volume.Volume }
	if err := json.Unmarshal(rec.Body.Bytes(), &old); rec.Code != 200 || err != nil {
		t.Fatalf("API 1.41: %d %v %s", rec.Code, err, rec.Body)
	}
	check("1.41", old.Volumes)

	rec = serve(h, "GET", "/v1.52/system/df", "")
	var du system.DiskUsage
	if err := json.Unmarshal(rec.Body.Bytes(), &du); rec.Code != 200 || err != nil || du.VolumeUsage == nil {
		t.Fatalf("API 1.52: %d %v %s", rec.Code, err, rec.Body)
	}
	check("1.52", du.VolumeUsage.Items)
	if vu := du.VolumeUsage; vu.TotalCount != 3 || vu.ActiveCount != 1 || vu.TotalSize != 1300 || vu.Reclaimable != 300 {
		t.Errorf("API 1.52 VolumeUsage: %d volumes, %d active, %d bytes, %d reclaimable; want 3, 1, 1300, 300",
			vu.TotalCount, vu.ActiveCount, vu.TotalSize, vu.Reclaimable)
	}
}
