package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestExitCodes checks Docker's exit codes through the CLI: the
// container's own code, 125 for an engine error, 126 for a command that
// cannot be invoked, 127 for one that is not found.
func TestExitCodes(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"container's code", []string{"run", "--rm", img, "sh", "-c", "exit 42"}, 42},
		{"no such image", []string{"run", "--rm", "--pull", "never", "nosuchimage", "true"}, 125},
		{"bad flag value", []string{"run", "--rm", "--memory", "lots", img, "true"}, 125},
		{"not executable", []string{"run", "--rm", img, "/etc/passwd"}, 126},
		{"not found", []string{"run", "--rm", img, "/no/such/program"}, 127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := d.Run(t, tt.args...)
			if r.Code != tt.code {
				t.Errorf("want exit %d\n%v", tt.code, r)
			}
			if tt.code >= 125 && strings.TrimSpace(r.Stderr) == "" {
				t.Errorf("exit %d without a message", r.Code)
			}
		})
	}
	if out := d.OK(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("--rm containers left behind:\n%s", out)
	}
}

// TestSeedStartCtrlC interrupts the seed's foreground start: Ctrl-C (our
// SIGINT) reaches the container, whose exit code start returns.
func TestSeedStartCtrlC(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	fg := d.Background(t, "start", "c1", img, "none", "sh", "-c",
		`trap "echo got INT; exit 3" INT; echo ready; while true; do sleep 0.1; done`)
	if !testutil.Eventually(30*time.Second, func() bool { return strings.Contains(fg.Stdout(), "ready") }) {
		t.Fatalf("the container did not start: %q %q", fg.Stdout(), fg.Stderr())
	}
	fg.Interrupt()
	r := fg.Wait(30 * time.Second)
	if r.Code != 3 || !strings.Contains(r.Stdout, "got INT") {
		t.Errorf("want the container's INT trap to run and start to exit 3\n%v", r)
	}
	if out := d.OK(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("the seed's start left its container:\n%s", out)
	}
}

// TestNoDaemon runs the CLI with no daemon at its address: it fails with
// 125 and says how to start the daemon.
func TestNoDaemon(t *testing.T) {
	testutil.RequireRoot(t) // the binaries are built for root runs only
	d := daemon.AtSocket(t, filepath.Join(t.TempDir(), "nothing.sock"))
	if _, err := os.Stat(d.Socket); err == nil {
		t.Fatal("the socket exists")
	}
	r := d.Run(t, "ps")
	if r.Code != 125 || !strings.Contains(r.Stderr, "container-runtimed") {
		t.Errorf("want exit 125 and a hint naming container-runtimed\n%v", r)
	}
}
