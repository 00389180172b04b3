package kubernetes

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/moby/sys/mountinfo"

	"github.com/container-runtime/container-runtime/internal/testutil/command"
)

// readMounts returns the mount points of the host now.
func readMounts(t testing.TB) []string {
	t.Helper()
	infos, err := mountinfo.GetMounts(nil)
	if err != nil {
		t.Fatalf("reading the mount table: %v", err)
	}
	var points []string
	for _, m := range infos {
		points = append(points, m.Mountpoint)
	}
	return points
}

// assertNoNewMounts fails the test for each mount point, made since
// baseline, of a container or pod (its rootfs, shm, netns).
func assertNoNewMounts(t testing.TB, baseline []string) {
	t.Helper()
	for _, p := range readMounts(t) {
		if slices.Contains(baseline, p) {
			continue
		}
		if strings.Contains(p, "k8s.io") || strings.Contains(p, "/netns/") || strings.Contains(p, "sandboxes") {
			t.Errorf("mount left: %s", p)
		}
	}
}

// listNetns returns `ip netns list`.
func listNetns(t testing.TB) string {
	t.Helper()
	return command.MustRun(t, "ip", "netns", "list")
}

// runOnPty runs argv with a pseudo-terminal as its stdio, types input, and
// returns everything it wrote and its exit code.
func runOnPty(t testing.TB, argv []string, input string) (string, int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatalf("starting %s on a pty: %v", argv[0], err)
	}
	defer master.Close()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		// Reading the master fails with EIO once the last holder of the
		// slave has exited.
		_, _ = io.Copy(&out, master)
		close(copied)
	}()
	if _, err := io.WriteString(master, input); err != nil {
		t.Errorf("typing into the pty: %v", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-time.After(command.Timeout):
		_ = cmd.Process.Kill()
		<-waited
		<-copied
		t.Fatalf("%q did not exit within %v; output:\n%q", argv, command.Timeout, out.String())
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		t.Fatalf("the pty's output did not end after %s exited", argv[0])
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(werr, &exitErr):
		return out.String(), exitErr.ExitCode()
	case werr != nil:
		t.Fatalf("waiting for %s: %v", argv[0], werr)
	}
	return out.String(), 0
}
