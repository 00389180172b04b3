package dockerclients

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCompose brings up testdata/compose.yml with Debian's docker-compose
// (1.29, which speaks the Engine API through docker-py): a user network
// with name resolution between the services, a named volume, depends_on,
// a port published on the host; then ps, logs and exec, and `down -v`,
// after which no container, network or volume of the project is left.
func TestCompose(t *testing.T) {
	testutil.RequireRoot(t)
	compose := testutil.RequireTool(t, "docker-compose")
	d := daemon.New(t)
	d.Busybox(t)
	port := freePort(t)
	dir := t.TempDir()
	file, err := os.ReadFile("testdata/compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, compose, append([]string{"--ansi", "never", "-p", "crtcompose"}, args...)...)
		cmd.Dir = dir
		cmd.Env = []string{"DOCKER_HOST=unix://" + d.Socket, "HOME=" + dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
			"WEB_PORT=" + fmt.Sprint(port)}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Run(); err != nil {
			return stdout.String(), fmt.Errorf("docker-compose %s: %v\nstdout: %s\nstderr: %s\ndaemon log:\n%s",
				strings.Join(args, " "), err, stdout.String(), stderr.String(), tail(d.Log(), 40))
		}
		return stdout.String(), nil
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	down := false
	t.Cleanup(func() {
		if !down {
			run("down", "-v", "-t", "1")
		}
	})

	must("up", "-d")
	// web serves what it fetched from db by name: the published port, the
	// network's DNS and the volume all worked.
	var body string
	if !testutil.Eventually(60*time.Second, func() bool {
		body = httpGet(fmt.Sprintf("http://127.0.0.1:%d/index.html", port))
		return body == "stored-in-volume\n"
	}) {
		logs, _ := run("logs")
		t.Fatalf("GET / on the published port: %q, want the db's value\nlogs:\n%s", body, logs)
	}
	ps := must("ps")
	for _, svc := range []string{"crtcompose_db_1", "crtcompose_web_1"} {
		if !strings.Contains(ps, svc) || !strings.Contains(ps, "Up") {
			t.Errorf("compose ps lacks %s up:\n%s", svc, ps)
		}
	}
	if !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
		t.Errorf("compose ps lacks the published port:\n%s", ps)
	}
	if logs := must("logs", "db"); !strings.Contains(logs, "db-ready") {
		t.Errorf("compose logs db: %q, want db-ready", logs)
	}
	if out := must("exec", "-T", "web", "cat", "/www/index.html"); out != "stored-in-volume\n" {
		t.Errorf("compose exec: %q", out)
	}
	if out := must("exec", "-T", "db", "nslookup", "web"); !strings.Contains(out, "Address") {
		t.Errorf("db cannot resolve web: %q", out)
	}

	must("down", "-v", "-t", "1")
	down = true
	// Our CLI lists what is left: nothing of the project.
	if out := strings.TrimSpace(d.OK(t, "ps", "-aq", "--filter", "label=com.docker.compose.project=crtcompose")); out != "" {
		t.Errorf("after down -v, containers of the project are left: %q", out)
	}
	for _, c := range [][]string{{"network", "ls"}, {"volume", "ls", "-q"}} {
		if out := d.OK(t, c...); strings.Contains(out, "crtcompose") {
			t.Errorf("after down -v, %s still lists the project's:\n%s", strings.Join(c, " "), out)
		}
	}
}

// httpGet is the body of a GET of url, or "" on any error.
func httpGet(url string) string {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freePort is a TCP port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
