package security

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCVE_2024_21626_NoLeakedFds guards the neighbour of runc's
// CVE-2024-21626: a descriptor of the host (there, a directory of the
// host's cgroup tree) left open across the runtime's entry into the
// container, which the container's processes then reach through
// /proc/self/fd/N or /proc/1/fd/N and walk out of with "..".
//
// In every way a process enters a container (run in the foreground, with
// -i, with -d, with --init; exec in the foreground, with -i, with -d),
// the attacker lists /proc/self/fd and /proc/1/fd. Only 0, 1 and 2 may be
// open (busybox expects nothing more), and none of them may be a host
// file or directory: stdio is a pipe, a socket or a character device.
func TestCVE_2024_21626_NoLeakedFds(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	mount := attackerMount(dir)
	run := func(flags ...string) []string {
		args := append([]string{"run", "--rm"}, mount...)
		return append(append(args, flags...), img, attackerPath, "fds")
	}

	t.Run("run", func(t *testing.T) {
		checkFds(t, d.OK(t, run()...))
	})
	t.Run("run-i", func(t *testing.T) {
		r := d.Exec(daemon.CmdTimeout, strings.NewReader(""), run("-i")...)
		if r.Code != 0 {
			t.Fatal(r)
		}
		checkFds(t, r.Stdout)
	})
	t.Run("run-init", func(t *testing.T) {
		checkFds(t, d.OK(t, run("--init")...))
	})
	t.Run("run-d", func(t *testing.T) {
		args := append([]string{"run", "-d", "--name", "fds-d"}, mount...)
		d.OK(t, append(args, img, attackerPath, "fds")...)
		if r := d.Run(t, "wait", "fds-d"); strings.TrimSpace(r.Stdout) != "0" {
			t.Fatalf("the attacker failed: %v\n%s", r, d.Run(t, "logs", "fds-d"))
		}
		checkFds(t, d.OK(t, "logs", "fds-d"))
		d.OK(t, "rm", "fds-d")
	})

	args := append([]string{"run", "-d", "--name", "fds-x"}, mount...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	t.Run("exec", func(t *testing.T) {
		checkFds(t, d.OK(t, "exec", "fds-x", attackerPath, "fds"))
	})
	t.Run("exec-i", func(t *testing.T) {
		r := d.Exec(daemon.CmdTimeout, strings.NewReader(""), "exec", "-i", "fds-x", attackerPath, "fds")
		if r.Code != 0 {
			t.Fatal(r)
		}
		checkFds(t, r.Stdout)
	})
	t.Run("exec-d", func(t *testing.T) {
		d.OK(t, "exec", "-d", "fds-x", attackerPath, "fds", "/tmp/fds.txt")
		var out string
		testutil.WaitFor(t, 30*time.Second, "exec -d to write its list", func() bool {
			out = d.Run(t, "exec", "fds-x", "cat", "/tmp/fds.txt").Stdout
			return strings.Contains(out, "fd 1 ")
		})
		checkFds(t, out)
	})
}

// checkFds fails the test for each descriptor in the attacker's fds
// output beyond 0, 1 and 2, and for stdio that is a file or directory.
func checkFds(t *testing.T, out string) {
	t.Helper()
	lines := attackerLines(out, "fd")
	if len(lines) == 0 {
		t.Fatalf("the attacker listed no descriptors:\n%s", out)
	}
	stdio := map[string]int{}
	for _, f := range lines {
		who, fd := f[0], f[1]
		if fd == "-" {
			// /proc/1/fd of a process we may not read: nothing to reach.
			t.Logf("/proc/%s/fd: %s", who, f[2])
			continue
		}
		kind, target := f[2], ""
		if len(f) > 3 {
			target = f[3]
		}
		if kind == "listing" {
			continue
		}
		n, err := strconv.Atoi(fd)
		switch {
		case err != nil:
			t.Errorf("unreadable line %q", strings.Join(f, " "))
		case n > 2:
			t.Errorf("CVE-2024-21626 class: /proc/%s/fd/%d is open in the container (%s, %s): a descriptor leaked in",
				who, n, kind, target)
		case kind == "dir" || kind == "file" || kind == "blk":
			t.Errorf("/proc/%s/fd/%d is a %s (%s): a container's stdio must be a pipe, socket or character device",
				who, n, kind, target)
		default:
			stdio[who]++
		}
	}
	if stdio["self"] != 3 {
		t.Errorf("want stdio 0, 1 and 2 open in the attacker, found %d of them:\n%s", stdio["self"], out)
	}
}
