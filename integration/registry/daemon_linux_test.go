package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// startDaemon starts the daemon under test with more flags (see
// daemon.New), without the machine's Docker credentials: it sees only
// what the tests log in with. The test fails if the daemon logs a panic.
func startDaemon(t *testing.T, flags ...string) *daemon.Daemon {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // the daemon inherits our environment
	d := daemon.New(t, flags...)
	t.Cleanup(func() { // before the daemon stops: registered after it
		if strings.Contains(fullLog(t, d), "panic") {
			t.Errorf("the daemon logged a panic:\n%s", d.Log())
		}
	})
	return d
}

// fullLog returns the whole of the daemon's log (d.Log has only its
// tail), where daemon.New keeps it.
func fullLog(t testing.TB, d *daemon.Daemon) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(d.Dir, "daemon.log"))
	if err != nil {
		t.Fatalf("reading the daemon's log: %v", err)
	}
	return string(b)
}

// imageID returns the id of the image ref.
func imageID(t testing.TB, d *daemon.Daemon, ref string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), daemon.CmdTimeout)
	defer cancel()
	img, err := d.Client.ImageInspect(ctx, ref)
	if err != nil {
		t.Fatalf("inspecting %s: %v", ref, err)
	}
	return img.ID
}

// runOut runs `run --rm --network none args...` and returns its stdout.
func runOut(t testing.TB, d *daemon.Daemon, args ...string) string {
	t.Helper()
	return d.OK(t, append([]string{"run", "--rm", "--network", "none"}, args...)...)
}
