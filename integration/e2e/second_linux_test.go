package e2e

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestSocketAndSecondDaemon checks the API socket's mode (0660: root and
// the container-runtime group), and that a second daemon on the same
// directories refuses to start without disturbing the first.
func TestSocketAndSecondDaemon(t *testing.T) {
	d := newDaemon(t)
	fi, err := os.Stat(d.socket)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket %s has mode %v, want a socket with 0660", d.socket, fi.Mode())
	}

	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	second := exec.CommandContext(ctx, bins.daemon, "--root", d.root, "--exec-root", d.execRoot,
		"--socket", d.socket, "--pidfile", d.pidfile)
	second.Args = append(second.Args, d.net.flags()...)
	second.Dir = d.dir
	out, err := second.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a second daemon on the same directories did not fail at once (%v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "running") && !strings.Contains(string(out), "in use") {
		t.Errorf("the second daemon's message does not say why: %s", out)
	}
	// The first one still serves, with its pidfile.
	if !d.running() {
		t.Fatal("the first daemon died")
	}
	if r := d.run(t, "version"); r.code != 0 {
		t.Errorf("the first daemon stopped answering: %v", r)
	}
	if b, err := os.ReadFile(d.pidfile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(d.pid()) {
		t.Errorf("the first daemon's pidfile: %q, %v; want %d", b, err, d.pid())
	}
	t.Logf("the second daemon said: %s", out)
}
