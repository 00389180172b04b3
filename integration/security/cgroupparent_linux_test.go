package security

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCWE22_CgroupParentPathTraversal guards the host's cgroup tree
// against --cgroup-parent (HostConfig.CgroupParent through the Docker
// API). A container's cgroup is where its limits and its accounting live;
// placed outside the engine's root (/container-runtime) it would escape
// the limits an operator set on that root, land in the host's own
// cgroups (/system.slice, the root), or nest inside another container's
// cgroup and make that one's removal fail. The attack is path traversal
// (CWE-22): "..", absolute paths elsewhere, an absolute path that climbs
// back out of the root, and another container's id as the parent, through
// the CLI and a raw Docker API create. Each must be refused before
// anything is made, no cgroup directory may appear outside the root, and
// the container that an allowed parent makes must have its process in
// cgroups below the root in every hierarchy.
func TestCWE22_CgroupParentPathTraversal(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	marker := fmt.Sprintf("crt-escape-%d", os.Getpid())
	victim := strings.TrimSpace(d.OK(t, "create", img, "true"))
	attacks := []string{
		"../" + marker, "../../" + marker, "a/../../" + marker, "/" + marker, "/container-runtime/../" + marker,
		"/sys/fs/cgroup/memory/" + marker, victim, victim + "/" + marker, "..", "/",
	}
	api := dockerAPI(t, d)
	for _, parent := range attacks {
		if res := d.Run(t, "run", "--rm", "--cgroup-parent", parent, img, "true"); res.Code == 0 {
			t.Errorf("run --cgroup-parent %q was accepted", parent)
		}
		if code, body := api.create(t, map[string]any{"CgroupParent": parent}); code != 400 {
			t.Errorf("Docker API create with CgroupParent %q: %d %s, want 400", parent, code, body)
		}
	}
	if ids := strings.Fields(d.OK(t, "ps", "-aq", "--no-trunc")); len(ids) != 1 || ids[0] != victim {
		t.Errorf("refused creates left containers: %q", ids)
	}
	// No hierarchy got the marker anywhere: outside the root, at its
	// top, or in the victim's cgroup.
	matches, _ := filepath.Glob("/sys/fs/cgroup/*/" + marker)
	more, _ := filepath.Glob("/sys/fs/cgroup/*/*/" + marker)
	deeper, _ := filepath.Glob("/sys/fs/cgroup/*/container-runtime/*/" + marker)
	if all := append(append(matches, more...), deeper...); len(all) > 0 {
		t.Errorf("cgroups made outside the engine's root: %q", all)
		for _, m := range all {
			os.Remove(m)
		}
	}

	// An allowed parent puts every hierarchy's cgroup below the root.
	id := strings.TrimSpace(d.OK(t, "run", "-d", "--cgroup-parent", "tenant/a", img, "sleep", "1000"))
	defer d.Run(t, "rm", "-f", id)
	pid := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.State.Pid}}", id))
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 || f[1] == "name=systemd" || (f[1] == "" && f[2] == "/") {
			continue // not a hierarchy the runtime joins (no v2 controller on a hybrid host)
		}
		if !strings.HasPrefix(f[2], "/container-runtime/tenant/a/") {
			t.Errorf("the container's cgroup %q is outside /container-runtime/tenant/a", line)
		}
	}
}
