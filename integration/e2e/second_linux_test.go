package e2e

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestSocketAndSecondDaemon checks the API socket's mode (0660: root and
// the container-runtime group), and that a second daemon on the same
// directories refuses to start without disturbing the first.
func TestSocketAndSecondDaemon(t *testing.T) {
	d := daemon.New(t)
	fi, err := os.Stat(d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket %s has mode %v, want a socket with 0660", d.Socket, fi.Mode())
	}

	ctx, cancel := context.WithTimeout(context.Background(), daemon.CmdTimeout)
	defer cancel()
	_, daemonBin, _ := daemon.Bins()
	second := exec.CommandContext(ctx, daemonBin, "--root", d.Root, "--exec-root", d.ExecRoot,
		"--socket", d.Socket, "--pidfile", d.Pidfile)
	second.Args = append(second.Args, d.Net.Flags()...)
	second.Dir = d.Dir
	out, err := second.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a second daemon on the same directories did not fail at once (%v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "running") && !strings.Contains(string(out), "in use") {
		t.Errorf("the second daemon's message does not say why: %s", out)
	}
	// The first one still serves, with its pidfile.
	if !d.Running() {
		t.Fatal("the first daemon died")
	}
	if r := d.Run(t, "version"); r.Code != 0 {
		t.Errorf("the first daemon stopped answering: %v", r)
	}
	if b, err := os.ReadFile(d.Pidfile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(d.Pid()) {
		t.Errorf("the first daemon's pidfile: %q, %v; want %d", b, err, d.Pid())
	}
	t.Logf("the second daemon said: %s", out)
}
