package docker

import (
	"encoding/json"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestCreateVolumes: named volumes in Binds and Mounts, anonymous ones in
// Config.Volumes (except where a mount covers the destination, as
// Compose sends both) and VolumesFrom reach our request.
func TestCreateVolumes(t *testing.T) {
	got, _, err := toCreate("", createFrom(t, `{"Image": "b", "Volumes": {"/data": {}, "/cache": {}, "/named/": {}},
		"HostConfig": {"Binds": ["dbdata:/named:ro,nocopy", "/host:/h"], "VolumesFrom": ["other:ro"],
			"Mounts": [{"Type": "volume", "Target": "/anon", "VolumeOptions": {"NoCopy": true}}, {"Type": "volume", "Source": "v2", "Target": "/v2", "ReadOnly": true}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []api.Mount{
		{Type: "volume", Source: "dbdata", Destination: "/named", ReadOnly: true, Options: []string{"nocopy"}},
		{Type: "bind", Source: "/host", Destination: "/h"},
		{Type: "volume", Destination: "/anon", Options: []string{"nocopy"}},
		{Type: "volume", Source: "v2", Destination: "/v2", ReadOnly: true},
		{Type: "volume", Destination: "/cache"},
		{Type: "volume", Destination: "/data"},
	}
	gj, _ := json.Marshal(got.Mounts)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("mounts:\n got %s\nwant %s", gj, wj)
	}
	if len(got.VolumesFrom) != 1 || got.VolumesFrom[0] != "other:ro" {
		t.Errorf("VolumesFrom: %q", got.VolumesFrom)
	}
}
