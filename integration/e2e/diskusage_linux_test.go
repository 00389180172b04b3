package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestSystemDfVolumes: system df measures each volume as Docker does
// (apparent sizes, a hard link once, a symbolic link's own length) with
// how many containers use it; one that cannot be measured is -1 (-1B in
// df -v, as the docker CLI prints it) and the others are still measured.
func TestSystemDfVolumes(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	d.OK(t, "run", "--rm", "-v", "sized:/data", bb, "sh", "-c",
		"head -c 5000 /dev/zero > /data/a && ln /data/a /data/hard && ln -s /bin/busybox /data/link && mkdir /data/dir")
	d.OK(t, "create", "--name", "user", "-v", "sized:/data", bb, "true")
	d.OK(t, "volume", "create", "spare")
	d.OK(t, "volume", "create", "lost")
	// A volume whose directory went away under the daemon.
	if err := os.RemoveAll(filepath.Join(d.Root, "volumes", "lost", "_data")); err != nil {
		t.Fatal(err)
	}

	var du api.DiskUsage
	if err := json.Unmarshal([]byte(d.OK(t, "system", "df", "--format", "json")), &du); err != nil {
		t.Fatal(err)
	}
	want := map[string]api.VolumeUsage{
		"sized": {Name: "sized", Size: 5000 + int64(len("/bin/busybox")), RefCount: 1},
		"spare": {Name: "spare"},
		"lost":  {Name: "lost", Size: -1},
	}
	if len(du.Volumes) != len(want) {
		t.Fatalf("system df volumes: %+v", du.Volumes)
	}
	for _, v := range du.Volumes {
		if v != want[v.Name] {
			t.Errorf("system df: %+v, want %+v", v, want[v.Name])
		}
	}
	if du.VolumesSize != 5012 {
		t.Errorf("system df: the volumes take %d bytes, want 5012", du.VolumesSize)
	}
	out := d.OK(t, "system", "df", "-v")
	for _, row := range [][]string{{"sized", "1", "5.01kB"}, {"spare", "0", "0B"}, {"lost", "0", "-1B"}} {
		if !hasRow(out, row) {
			t.Errorf("system df -v has no row %q:\n%s", row, out)
		}
	}
	d.OK(t, "rm", "user")
}

// hasRow tells whether a line of a table holds exactly the fields want.
func hasRow(table string, want []string) bool {
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); strings.Join(f, " ") == strings.Join(want, " ") {
			return true
		}
	}
	return false
}
