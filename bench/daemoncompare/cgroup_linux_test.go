package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestParseOwnCgroup(t *testing.T) {
	const hybrid = "12:pids:/user.slice\n4:cpu,cpuacct:/bench\n0::/unified-path\n"
	const v1Separate = "5:cpu:/a\n3:cpuacct:/b\n"
	tests := []struct {
		name    string
		in      string
		v2      bool
		want    string
		wantErr bool
	}{
		{"hybrid, cpuacct co-mounted", hybrid, false, "/bench", false},
		{"v1, cpuacct alone", v1Separate, false, "/b", false},
		{"v2", hybrid, true, "/unified-path", false},
		{"v2 missing", v1Separate, true, "", true},
		{"v1 missing", "0::/x\n", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOwnCgroup(tt.in, tt.v2)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseOwnCgroup = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestCgroupTree makes a tree, starts a process in one of its groups,
// checks that the group accounted its CPU time and that this process went
// home, then removes the tree.
func TestCgroupTree(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: creates cgroups")
	}
	tree, err := newCgroupTree("daemoncompare-test-" + strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tree.leave()
		if err := tree.remove(); err != nil {
			t.Errorf("remove: %v", err)
		}
	})
	g, err := tree.group("engine")
	if err != nil {
		t.Fatal(err)
	}
	if got := tree.path("engine-containers"); got != "/"+tree.name+"/engine-containers" {
		t.Errorf("path = %q", got)
	}
	before := g.usage()
	if err := g.enter(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
	err = cmd.Run()
	if lerr := tree.leave(); lerr != nil {
		t.Fatal(lerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if after := g.usage(); after <= before {
		t.Errorf("usage %v -> %v: the child's CPU time was not accounted", before, after)
	}
	own, err := ownCgroup(tree.v2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(own, tree.name) {
		t.Errorf("this process is still in %s", own)
	}
	if err := tree.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tree.dir, "engine")); !os.IsNotExist(err) {
		t.Errorf("group left after remove: %v", err)
	}
}
