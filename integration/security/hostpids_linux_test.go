package security

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestPIDNamespace_HostProcessesOutOfReach guards the host's processes:
// a container that can see, signal or ptrace them can kill the daemon or
// take over a root process on the host.
//
// A host process (sleep), the daemon and the container's monitor are
// named to the attacker by their host pids, in run and in exec: signal 0,
// ptrace attach, pidfd_open and, for the sleep, SIGKILL must all fail,
// the container's /proc must list none of them, and all three must still
// be alive afterwards.
func TestPIDNamespace_HostProcessesOutOfReach(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	mount := attackerMount(dir)

	host := exec.Command("sleep", "3600")
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	hostDone := make(chan struct{})
	go func() {
		host.Wait()
		close(hostDone)
	}()
	t.Cleanup(func() {
		host.Process.Kill()
		<-hostDone
	})

	args := append([]string{"run", "-d", "--name", "pids"}, mount...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	monitors := daemon.MonitorsOf(d.ExecRoot)
	if len(monitors) == 0 {
		t.Fatal("found no monitor process of the container")
	}
	targets := []string{strconv.Itoa(host.Process.Pid) + ":kill", strconv.Itoa(d.Pid()), strconv.Itoa(monitors[0])}
	t.Logf("host pids: sleep %d, daemon %d, monitor %d", host.Process.Pid, d.Pid(), monitors[0])

	for name, prefix := range map[string][]string{
		"run":  append(append([]string{"run", "--rm"}, mount...), img),
		"exec": {"exec", "pids"},
	} {
		t.Run(name, func(t *testing.T) {
			out := d.OK(t, append(append(prefix, attackerPath, "outside"), targets...)...)
			lines := attackerLines(out, "outside")
			if len(lines) != 3*3+1 {
				t.Fatalf("want 10 attempts:\n%s", out)
			}
			for _, f := range lines {
				if f[2] == "ok" {
					t.Errorf("%s of host pid %s succeeded from the container", f[1], f[0])
				}
			}
			ps := strings.Fields(d.OK(t, append(prefix, "ls", "/proc")...))
			for _, p := range []int{host.Process.Pid, d.Pid(), monitors[0]} {
				if !slices.Contains(ps, strconv.Itoa(p)) {
					continue
				}
				// A process of the container's own namespace may have
				// the same number: it is the host's if its command is.
				cmdline := "/proc/" + strconv.Itoa(p) + "/cmdline"
				inside := d.Run(t, append(prefix, "cat", cmdline)...).Stdout
				if outside, err := os.ReadFile(cmdline); err == nil && string(outside) == inside {
					t.Errorf("the container's /proc shows host process %d (%q)", p, inside)
				}
			}
			select {
			case <-hostDone:
				t.Fatalf("the host's sleep died: %v", host.ProcessState)
			case <-time.After(100 * time.Millisecond):
			}
			if !d.Running() {
				t.Fatal("the daemon died")
			}
			if syscall.Kill(monitors[0], 0) != nil {
				t.Fatal("the container's monitor died")
			}
		})
	}
}
