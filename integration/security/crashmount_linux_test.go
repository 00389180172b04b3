package security

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCrashKill9DuringBuildRunWithMounts kills the daemon while a RUN
// step with a bind, a cache and a tmpfs mount keeps writing. The staged
// mounts (the context's read-only clone, the rw overlay over it) live
// under <root>/builder beside the step's root, so the restart's
// builder.CleanLeftovers unmounts and removes them with it: nothing is
// left mounted, the cache survives (it is not a mount of the daemon), and
// a build with the same mounts works afterwards.
func TestCrashKill9DuringBuildRunWithMounts(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := takeBaseline(t, d)
	df := "FROM " + img + "\nRUN --mount=target=/src --mount=type=bind,source=.,target=/rw,rw --mount=type=cache,target=/cache,id=crash --mount=type=tmpfs,target=/t " +
		"sh -c 'echo kept > /cache/kept; i=0; echo looping; while :; do i=$((i+1)); echo $i > /rw/f$((i % 50)); echo $i > /f$((i % 500)); done'\n"
	ctxDir := writeContext(t, df)
	build := d.Background(t, "build", "-t", "never", ctxDir)
	var steps []step
	testutil.WaitFor(t, time.Minute, "the RUN step to write", func() bool {
		steps = buildSteps(d)
		return len(steps) == 1 && strings.Contains(build.Stdout()+build.Stderr(), "looping")
	})
	t.Cleanup(steps[0].kill)
	if mounts := daemon.MountsUnder(filepath.Join(d.Root, "builder")); len(mounts) < 3 {
		t.Errorf("the step's root and staged mounts are not all under %s/builder: %v", d.Root, mounts)
	}
	time.Sleep(300 * time.Millisecond) // let it write
	d.Kill9(t)
	build.Wait(time.Minute)
	if syscall.Kill(steps[0].pid, 0) != nil {
		t.Fatal("the RUN step died with the daemon: this test no longer shows the crash it is about")
	}

	d.Start(t)
	if mounts := daemon.MountsUnder(filepath.Join(d.Root, "builder")); len(mounts) != 0 {
		t.Errorf("mounts left under %s/builder after the restart: %v", d.Root, mounts)
	}
	if entries, _ := os.ReadDir(ctxDir); len(entries) != 1 {
		t.Errorf("the rw bind wrote into the context: %d entries", len(entries))
	}
	after := writeContext(t, "FROM "+img+"\nRUN --mount=target=/src --mount=type=cache,target=/cache,id=crash cat /cache/kept > /kept\n")
	d.OK(t, "build", "-t", "after", after)
	if got := d.OK(t, "run", "--rm", "after", "cat", "/kept"); got != "kept\n" {
		t.Errorf("the cache after the crash holds %q, want what the killed step wrote", got)
	}
	removeAll(t, d)
	assertClean(t, d, before, steps)
}
