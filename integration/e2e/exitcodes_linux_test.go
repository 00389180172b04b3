package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExitCodes checks Docker's exit codes through the CLI: the
// container's own code, 125 for an engine error, 126 for a command that
// cannot be invoked, 127 for one that is not found.
func TestExitCodes(t *testing.T) {
	d := newDaemon(t)
	img := busybox(t, d)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"container's code", []string{"run", "--rm", img, "sh", "-c", "exit 42"}, 42},
		{"no such image", []string{"run", "--rm", "nosuchimage", "true"}, 125},
		{"bad flag value", []string{"run", "--rm", "--memory", "lots", img, "true"}, 125},
		{"not executable", []string{"run", "--rm", img, "/etc/passwd"}, 126},
		{"not found", []string{"run", "--rm", img, "/no/such/program"}, 127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := d.run(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("want exit %d\n%v", tt.code, r)
			}
			if tt.code >= 125 && strings.TrimSpace(r.stderr) == "" {
				t.Errorf("exit %d without a message", r.code)
			}
		})
	}
	if out := d.ok(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("--rm containers left behind:\n%s", out)
	}
}

// TestSeedStartCtrlC interrupts the seed's foreground start: Ctrl-C (our
// SIGINT) reaches the container, whose exit code start returns.
func TestSeedStartCtrlC(t *testing.T) {
	d := newDaemon(t)
	img := busybox(t, d)
	fg := d.background(t, "start", "c1", img, "none", "sh", "-c",
		`trap "echo got INT; exit 3" INT; echo ready; while true; do sleep 0.1; done`)
	if !waitFor(30*time.Second, func() bool { return strings.Contains(fg.stdout.String(), "ready") }) {
		t.Fatalf("the container did not start: %q %q", fg.stdout.String(), fg.stderr.String())
	}
	fg.interrupt()
	r := fg.wait(30 * time.Second)
	if r.code != 3 || !strings.Contains(r.stdout, "got INT") {
		t.Errorf("want the container's INT trap to run and start to exit 3\n%v", r)
	}
	if out := d.ok(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("the seed's start left its container:\n%s", out)
	}
}

// TestNoDaemon runs the CLI with no daemon at its address: it fails with
// 125 and says how to start the daemon.
func TestNoDaemon(t *testing.T) {
	requireRoot(t) // the binaries are built for root runs only
	d := &daemon{dir: t.TempDir()}
	d.socket = filepath.Join(d.dir, "nothing.sock")
	if _, err := os.Stat(d.socket); err == nil {
		t.Fatal("the socket exists")
	}
	r := d.run(t, "ps")
	if r.code != 125 || !strings.Contains(r.stderr, "container-runtimed") {
		t.Errorf("want exit 125 and a hint naming container-runtimed\n%v", r)
	}
}
