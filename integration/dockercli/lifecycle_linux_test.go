package dockercli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestLifecycle: pause, unpause, rename, restart, kill, start -a, logs
// -f, attach, system df and events --since through the docker CLI.
func TestLifecycle(t *testing.T) {
	c := newCLI(t)
	since := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	id := strings.TrimSpace(c.ok(t, "run", "-d", "--name", "ticker", "busybox", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"))
	c.ok(t, "pause", "ticker")
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "ticker")); got != "paused true" {
		t.Errorf("after pause: %q", got)
	}
	c.ok(t, "unpause", "ticker")
	c.ok(t, "rename", "ticker", "clock")
	if got := c.ok(t, "ps", "--format", "{{.Names}} {{.State}}"); got != "clock running\n" {
		t.Errorf("after unpause and rename: %q", got)
	}
	// logs -f follows: its first lines arrive while the container runs.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	follow := exec.CommandContext(ctx, c.bin, "logs", "-f", "clock")
	follow.Env = []string{"DOCKER_HOST=unix://" + c.d.Socket, "DOCKER_CONFIG=" + c.config}
	out, err := follow.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 64)
	for !strings.Contains(string(buf), "tick 3\n") {
		b := make([]byte, 64)
		n, err := out.Read(b)
		if err != nil {
			t.Fatalf("docker logs -f ended after %q: %v", buf, err)
		}
		buf = append(buf, b[:n]...)
	}
	if !strings.HasPrefix(string(buf), "tick 0\ntick 1\n") {
		t.Errorf("docker logs -f began with %q", buf)
	}
	// The stream ends when the container does.
	c.ok(t, "kill", "clock")
	io.Copy(io.Discard, out)
	if err := follow.Wait(); err != nil {
		t.Errorf("docker logs -f after the kill: %v", err)
	}
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "clock")); got != "exited 137" {
		t.Errorf("after kill: %q", got)
	}
	c.ok(t, "restart", "clock")
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.State.Running}}", "clock")); got != "true" {
		t.Errorf("after restart: %q", got)
	}
	c.ok(t, "rm", "-f", "clock")

	// start -a: attached before the start, all the output, the exit code.
	created := strings.TrimSpace(c.ok(t, "create", "busybox", "sh", "-c", "echo attached; exit 4"))
	if r := c.run(nil, nil, "start", "-a", created); r.code != 4 || r.stdout != "attached\n" {
		t.Errorf("docker start -a: %v", r)
	}
	c.ok(t, "rm", created)

	if got := c.ok(t, "system", "df", "--format", "{{.Type}} {{.TotalCount}}"); !strings.Contains(got, "Images 1") || !strings.Contains(got, "Containers 0") {
		t.Errorf("docker system df:\n%s", got)
	}
	until := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	got := c.ok(t, "events", "--since", since, "--until", until, "--filter", "container="+id, "--format", "{{.Type}} {{.Action}}")
	for _, want := range []string{"container pause", "container unpause", "container rename", "container kill", "container die", "container destroy"} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("docker events --since lacks %q:\n%s", want, got)
		}
	}
}

// TestAttach: docker attach shows the output produced after it
// connected, and ends when the container exits with its code.
func TestAttach(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "run", "-d", "--name", "waiter", "busybox", "sh", "-c", "while [ ! -e /go ]; do sleep 0.1; done; echo after-attach; exit 6")
	done := make(chan result, 1)
	go func() { done <- c.run(nil, nil, "attach", "--no-stdin", "waiter") }()
	// The attach is in place once the daemon logged its event.
	testutil.WaitFor(t, 30*time.Second, "the attach event", func() bool {
		return strings.Contains(c.ok(t, "events", "--since", "0", "--until", strconv.FormatInt(time.Now().Unix(), 10), "--filter", "event=attach", "--format", "{{.Action}}"), "attach")
	})
	c.ok(t, "exec", "waiter", "touch", "/go")
	select {
	case r := <-done:
		if r.code != 6 || r.stdout != "after-attach\n" {
			t.Errorf("docker attach: %v", r)
		}
	case <-time.After(dockerTimeout):
		t.Fatal("docker attach did not end with the container")
	}
}

// TestTerminal: run -it and exec -it under a pseudo-terminal (script(1)):
// the process has a tty, and the exit code comes back.
func TestTerminal(t *testing.T) {
	c := newCLI(t)
	script := testutil.RequireTool(t, "script")
	c.ok(t, "run", "-d", "--name", "tty", "busybox", "sleep", "300")
	for _, tc := range []struct {
		cmd  string
		code int
	}{
		{"exec -it tty sh -c 'tty; exit 3'", 3},
		{"run --rm -it busybox sh -c 'tty; exit 4'", 4},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
		cmd := exec.CommandContext(ctx, script, "-qec", c.bin+" "+tc.cmd, "/dev/null")
		cmd.Env = []string{"DOCKER_HOST=unix://" + c.d.Socket, "DOCKER_CONFIG=" + c.config, "TERM=xterm", "PATH=/usr/bin:/bin"}
		out, err := cmd.Output()
		cancel()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", tc.cmd, err)
		}
		if code != tc.code || !strings.Contains(string(out), "/dev/pts/") {
			t.Errorf("docker %s under a terminal: exit %d, output %q; want exit %d and a /dev/pts tty", tc.cmd, code, out, tc.code)
		}
	}
	c.ok(t, "rm", "-f", "tty")
}

// TestPublish: run -p publishes a port the host reaches.
func TestPublish(t *testing.T) {
	c := newCLI(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c.ok(t, "run", "-d", "--name", "web", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), "busybox",
		"sh", "-c", "mkdir /www && echo published > /www/index.html && exec httpd -f -p 80 -h /www")
	if got := strings.TrimSpace(c.ok(t, "port", "web")); got != fmt.Sprintf("80/tcp -> 127.0.0.1:%d", port) {
		t.Errorf("docker port: %q", got)
	}
	var body string
	testutil.WaitFor(t, 30*time.Second, "the published port to answer", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK
	})
	if body != "published\n" {
		t.Errorf("the published port answered %q", body)
	}
	c.ok(t, "rm", "-f", "web")
}
