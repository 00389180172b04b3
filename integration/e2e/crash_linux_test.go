package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDaemonKill9MidStart kills the daemon with kill -9 while twelve
// `run -d` are in flight, at eight different moments: after a restart on
// the same directories every container is listed in a state it can leave
// (created, running or exited), each can be removed with rm -f, and then
// nothing is left (mounts, cgroups, state, veths, monitors).
func TestDaemonKill9MidStart(t *testing.T) {
	for round := range 8 {
		delay := time.Duration(50+100*round) * time.Millisecond
		t.Run(fmt.Sprint(delay), func(t *testing.T) {
			d := daemon.New(t)
			img := d.Busybox(t)
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Go(func() {
					d.Exec(time.Minute, nil, "run", "-d", "--name", fmt.Sprintf("c%d-%d", round, i), img, "sleep", "1000")
				})
			}
			time.Sleep(delay)
			d.Kill9(t)
			wg.Wait()
			d.Start(t)
			list, err := d.Client.ContainerList(t.Context(), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				switch c.State {
				case "created", "running", "exited":
				default:
					t.Errorf("%s is %q after the restart", c.Name, c.State)
				}
				if r := d.Run(t, "rm", "-f", c.ID); r.Code != 0 {
					t.Errorf("rm -f %s: %v", c.Name, r)
				}
			}
			if leaks := d.SettledLeaks(); len(leaks) > 0 {
				t.Errorf("left after removing every container:\n%s", strings.Join(leaks, "\n"))
			}
		})
	}
}
