package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestLogsFollowEndsOnRemoval: `logs -f` ends when its container is
// removed, also when the removal comes right after the exit and takes the
// exit record away before the follower has seen it (`rm -f` of a running
// container; a script's `wait` then `rm`). It used to follow forever.
// And it ends only after it has passed on everything the container
// wrote: docker-py's run follows, waits, removes, and reads the stream
// last.
func TestLogsFollowEndsOnRemoval(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for i := range 5 {
		name := fmt.Sprintf("followed%d", i)
		d.OK(t, "run", "-d", "--name", name, img, "sh", "-c", "echo ready; exec sleep 1000")
		logs := d.Background(t, "logs", "-f", name)
		testutil.WaitFor(t, 30*time.Second, "logs -f to print the first line", func() bool {
			return strings.Contains(logs.Stdout(), "ready")
		})
		d.OK(t, "rm", "-f", name)
		select {
		case <-logs.Done():
		case <-time.After(30 * time.Second):
			t.Fatalf("logs -f %s still follows 30s after the container was removed", name)
		}
		if got := logs.Stdout(); got != "ready\n" {
			t.Errorf("logs -f printed %q", got)
		}
	}
	for i := range 5 {
		name := fmt.Sprintf("removed%d", i)
		d.OK(t, "run", "-d", "--name", name, img, "sh", "-c", "echo ready; sleep 1; seq 1 3000")
		logs := d.Background(t, "logs", "-f", name)
		testutil.WaitFor(t, 30*time.Second, "logs -f to print the first line", func() bool {
			return strings.Contains(logs.Stdout(), "ready")
		})
		d.OK(t, "wait", name)
		d.OK(t, "rm", name)
		select {
		case <-logs.Done():
		case <-time.After(30 * time.Second):
			t.Fatalf("logs -f %s still follows 30s after the container was removed", name)
		}
		if lines := strings.Split(strings.TrimSuffix(logs.Stdout(), "\n"), "\n"); len(lines) != 3001 || lines[3000] != "3000" {
			t.Errorf("logs -f of a container removed right after its exit passed on %d lines, want 3001", len(lines))
		}
	}
}
