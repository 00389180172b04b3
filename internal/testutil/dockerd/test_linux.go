package dockerd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// Test is a private dockerd started by a test.
type Test struct {
	*Dockerd
	// CgroupParent is the cgroup (relative to each hierarchy's root)
	// that holds the containers' cgroups: /<CgroupParent>/<id>.
	CgroupParent string
}

// New starts a private dockerd for t with more dockerd flags, in a new
// temporary directory, with its containers under a cgroup parent of its
// own. When the test ends, leftover containers are reported and removed,
// dockerd is stopped, the test fails if the firewall changed or a
// container's cgroup is left, and everything is removed.
func New(t testing.TB, args ...string) *Test {
	t.Helper()
	testutil.RequireRoot(t)
	for _, tool := range []string{"dockerd", "containerd", "containerd-shim-runc-v2", "runc"} {
		testutil.RequireTool(t, tool)
	}
	if _, err := ClientPath(); err != nil {
		testutil.RequireTool(t, "docker")
	}
	// Short: containerd's socket under the exec root must fit in sun_path.
	dir, err := os.MkdirTemp("", "dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	parent := fmt.Sprintf("test-dockerd-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	host.CleanupCgroupParent(t, parent) // runs after dockerd stopped
	args = append([]string{"--cgroup-parent", "/" + parent}, args...)
	d, err := Start(context.Background(), Options{Dir: dir, Args: args})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("starting dockerd: %v", err)
	}
	td := &Test{Dockerd: d, CgroupParent: parent}
	t.Cleanup(func() { td.cleanup(t) })
	return td
}

func (d *Test) cleanup(t testing.TB) {
	report := t.Errorf
	if t.Failed() { // a failed test may leave containers: say, do not fail again
		report = t.Logf
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if ids, err := d.RemoveAll(ctx); err != nil {
		t.Errorf("removing dockerd's containers: %v", err)
	} else if len(ids) > 0 {
		report("containers left in dockerd (removed): %s", strings.Join(ids, " "))
	}
	if err := d.Close(); err != nil {
		t.Errorf("stopping dockerd: %v", err)
	}
	if t.Failed() {
		t.Logf("dockerd's log (tail):\n%s", d.LogTail(30))
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		t.Errorf("removing dockerd's directory: %v", err)
	}
}

// Docker runs a docker command against this dockerd (bounded by
// command.Timeout).
func (d *Test) Docker(t testing.TB, args ...string) command.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), command.Timeout)
	defer cancel()
	return command.RunCmd(t, exec.CommandContext(ctx, d.Client, d.Args(args...)...))
}

// MustDocker runs a docker command that must succeed and returns its
// trimmed stdout.
func (d *Test) MustDocker(t testing.TB, args ...string) string {
	t.Helper()
	r := d.Docker(t, args...)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	return strings.TrimSpace(r.Stdout)
}
