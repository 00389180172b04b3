package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// buildTimeout bounds one `build` (the nginx and nodejs examples install
// packages with apt-get).
const buildTimeout = 10 * time.Minute

// examplesDir returns the seed's examples directory of this repository.
func examplesDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// build runs the seed's `build NAME DOCKERFILE_PATH`.
func build(t testing.TB, d *daemon.Daemon, name, dockerfile string) string {
	t.Helper()
	r := d.Exec(buildTimeout, nil, "build", name, dockerfile)
	if r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	return r.Stdout + r.Stderr
}

// startedRE matches the seed's start line and captures the pid.
var startedRE = regexp.MustCompile(`container (\S+) started \(pid (\d+)\)`)

// TestSeedCommandSequence runs the seed README's "Usage" commands exactly
// as written there, on the real Debian base and the seed's bash example:
// build NAME DOCKERFILE_PATH, image list, start NAME IMAGE NETWORK COMMAND
// ARGS (in the foreground), list, stop NAME.
func TestSeedCommandSequence(t *testing.T) {
	d := daemon.New(t)
	d.Base(t)
	dockerfile := filepath.Join(examplesDir(t), "bash", "Dockerfile")

	// container-runtime build {my-image-name} {path-to-the-dockerfile}
	if out := build(t, d, "counters", dockerfile); !strings.Contains(out, "counters") {
		t.Errorf("build output does not name the image:\n%s", out)
	}

	// container-runtime image list
	out := d.OK(t, "image", "list")
	for _, img := range []string{"base", "counters"} {
		if !regexp.MustCompile(`(?m)^` + img + `\s`).MatchString(out) {
			t.Errorf("image list has no row for %s:\n%s", img, out)
		}
	}

	// container-runtime start {name} {image} {network} {command} {args}:
	// the foreground run prints that it started with the pid, streams the
	// output while the container runs, prints the exit code, and exits
	// with it. timeout(1) ends the endless script with 124.
	fg := d.Background(t, "start", "evens", "counters", "none", "timeout", "3", "/home/even.sh")
	live := testutil.Eventually(30*time.Second, func() bool { return strings.Contains(fg.Stdout(), "0\n2\n") })
	select {
	case <-fg.Done():
		live = false
	default:
	}
	if !live {
		t.Errorf("the output was not streamed while the container ran; so far: %q (stderr %q)", fg.Stdout(), fg.Stderr())
	}
	// The seed's list shows the running container.
	if out := d.OK(t, "list"); !strings.Contains(out, "evens") {
		t.Errorf("list while evens runs does not show it:\n%s", out)
	}
	r := fg.Wait(daemon.CmdTimeout)
	if r.Code != 124 {
		t.Errorf("start exited %d, want the container's code 124\n%v", r.Code, r)
	}
	if !strings.HasPrefix(r.Stdout, "0\n2\n") {
		t.Errorf("start's output %q does not begin with the script's 0, 2", r.Stdout)
	}
	m := startedRE.FindStringSubmatch(r.Stderr)
	if m == nil || m[1] != "evens" {
		t.Errorf("start did not print \"container evens started (pid N)\":\n%s", r.Stderr)
	} else if pid, _ := strconv.Atoi(m[2]); pid <= 0 {
		t.Errorf("start printed pid %s", m[2])
	}
	if !strings.Contains(r.Stderr, "container evens exited with code 124") {
		t.Errorf("start did not print the exit code:\n%s", r.Stderr)
	}
	// Cleaned up as the seed does: the container is gone.
	if out := d.OK(t, "ps", "-a"); strings.Contains(out, "evens") {
		t.Errorf("the seed's start left its container behind:\n%s", out)
	}

	// container-runtime list, then container-runtime stop {name}, on a
	// container started in the background. Its shell ends on SIGTERM.
	d.OK(t, "run", "-d", "--name", "odds", "counters", "/bin/bash", "-c", `trap "exit 0" TERM; /home/odd.sh & wait`)
	if !testutil.Eventually(30*time.Second, func() bool { return strings.Contains(d.Run(t, "logs", "odds").Stdout, "1\n3\n") }) {
		t.Errorf("odds did not print 1, 3: logs %v", d.Run(t, "logs", "odds"))
	}
	out = d.OK(t, "list")
	if !regexp.MustCompile(`(?m)^odds\s+counters\s`).MatchString(out) {
		t.Errorf("list does not show odds running on counters:\n%s", out)
	}
	if out := d.OK(t, "stop", "odds"); strings.TrimSpace(out) != "odds" {
		t.Errorf("stop printed %q, want the name", out)
	}
	if out := d.OK(t, "list"); strings.Contains(out, "odds") {
		t.Errorf("list still shows odds after stop:\n%s", out)
	}
	ci := d.Inspect(t, "odds")
	if ci.StateDetail.Running || ci.StateDetail.ExitCode != 0 {
		t.Errorf("after stop: running %v, exit code %d; want stopped with 0 (the shell's TERM trap)", ci.StateDetail.Running, ci.StateDetail.ExitCode)
	}
}
