package dockercli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// dockerTimeout bounds one docker command.
const dockerTimeout = 2 * time.Minute

// The docker clients driven. debianDocker is the one CI installs
// (Debian 12's docker.io, 20.10, API 1.41): every test needs it and fails
// under CI without it. newestDocker is where a newer client (docker-ce's
// static binary) sits when someone installed one: TestNewestClient runs
// its smoke leg only when it is there, and says so when it is not.
const (
	debianDocker = "/usr/bin/docker"
	newestDocker = "/usr/local/bin/docker"
)

// cli is the docker CLI pointed at a test daemon.
type cli struct {
	d      *daemon.Daemon
	bin    string
	config string // DOCKER_CONFIG: none of the host's settings
	// socket is where docker connects: the daemon's socket unless set.
	socket string
}

// result is what one docker command did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("docker %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// newCLI starts a daemon (with flags) with a busybox image and returns
// Debian's docker CLI pointed at its socket.
func newCLI(t *testing.T, flags ...string) *cli {
	t.Helper()
	testutil.RequireRoot(t)
	bin := testutil.RequireTool(t, debianDocker)
	d := daemon.New(t, flags...)
	d.Busybox(t)
	return &cli{d: d, bin: bin, config: t.TempDir()}
}

// with returns the same daemon driven by another docker binary.
func (c *cli) with(t *testing.T, bin string) *cli {
	return &cli{d: c.d, bin: bin, config: t.TempDir(), socket: c.socket}
}

// run runs docker with args (stdin: none unless given) to its end.
func (c *cli) run(stdin io.Reader, env []string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	socket := c.socket
	if socket == "" {
		socket = c.d.Socket
	}
	cmd.Env = append([]string{
		"DOCKER_HOST=unix://" + socket, "DOCKER_CONFIG=" + c.config, "DOCKER_CLI_HINTS=false",
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + c.config,
	}, env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		r.code = -1
		if ee, ok := err.(*exec.ExitError); ok && ee.Exited() {
			r.code = ee.ExitCode()
		}
	}
	return r
}

// ok runs docker and fails the test unless it exits 0; it returns stdout.
func (c *cli) ok(t testing.TB, args ...string) string {
	t.Helper()
	r := c.run(nil, nil, args...)
	if r.code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, tail(c.d.Log(), 40))
	}
	return r.stdout
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
