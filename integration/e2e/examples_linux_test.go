package e2e

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// serveTimeout bounds how long a started server gets to answer.
const serveTimeout = 60 * time.Second

// requireFreePort skips the test when something on this host listens on
// addr already: an answer would not prove our container's.
func requireFreePort(t testing.TB, addr string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		testutil.Missing(t, "%s is in use on this host", addr)
	}
}

// httpGet polls url until it answers 200 (at most serveTimeout) and
// returns the body.
func httpGet(t testing.TB, url string) (string, bool) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	var body string
	ok := testutil.Eventually(serveTimeout, func() bool {
		resp, err := hc.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK
	})
	return body, ok
}

// TestSeedExamples builds the seed's three examples (examples/*) on the
// real Debian base and runs them: the counting scripts print their
// numbers, nginx (started by the image's startup command) answers on port
// 80 of the host network, the Node.js server on 8080.
func TestSeedExamples(t *testing.T) {
	d := daemon.New(t)
	d.Base(t)
	examples := examplesDir(t)

	t.Run("bash", func(t *testing.T) {
		build(t, d, "counters", filepath.Join(examples, "bash", "Dockerfile"))
		for _, tt := range []struct{ script, want string }{
			{"/home/even.sh", "0\n2\n"},
			{"/home/odd.sh", "1\n3\n"},
		} {
			r := d.Run(t, "start", "count", "counters", "none", "timeout", "2.5", tt.script)
			if r.Code != 124 || !strings.HasPrefix(r.Stdout, tt.want) {
				t.Errorf("%s: want exit 124 and output starting %q\n%v", tt.script, tt.want, r)
			}
		}
	})

	t.Run("nginx", func(t *testing.T) {
		requireFreePort(t, "127.0.0.1:80")
		build(t, d, "web", filepath.Join(examples, "nginx", "Dockerfile"))
		// As the Dockerfile's comment says: start web1 web host /init, in
		// the foreground (here, in the background of the test).
		fg := d.Background(t, "start", "web1", "web", "host", "/init")
		body, ok := httpGet(t, "http://127.0.0.1:80/")
		if !ok {
			t.Fatalf("nginx did not answer on 127.0.0.1:80 within %v; start's output:\n%s\n%s\ndaemon log:\n%s",
				serveTimeout, fg.Stdout(), fg.Stderr(), d.Log())
		}
		if !strings.Contains(body, "Welcome to nginx") {
			t.Errorf("127.0.0.1:80 answered, but not nginx's page:\n%s", body)
		}
		// nginx answers as soon as the startup command has started it,
		// a moment before the start (and its record) is complete.
		var sc []api.StartupResult
		testutil.Eventually(30*time.Second, func() bool {
			sc = d.Inspect(t, "web1").StartupCommands
			return len(sc) > 0
		})
		if len(sc) != 1 || sc[0].ExitCode != 0 || !strings.Contains(strings.Join(sc[0].Args, " "), "/etc/init.d/nginx start") {
			t.Errorf("inspect's startup commands %+v, want nginx's start with exit 0", sc)
		}
		d.OK(t, "stop", "-t", "1", "web1")
		r := fg.Wait(daemon.CmdTimeout)
		if !strings.Contains(r.Stderr, "container web1 exited with code") {
			t.Errorf("start did not report web1's exit:\n%v", r)
		}
		// The startup command's and the access log's lines came through.
		if !strings.Contains(r.Stdout, "Starting nginx") || !strings.Contains(r.Stdout, "GET / HTTP/1.1") {
			t.Errorf("start's output lacks nginx's start line or the access log line:\n%s", r.Stdout)
		}
		if out := d.OK(t, "ps", "-a"); strings.Contains(out, "web1") {
			t.Errorf("web1 left behind after its foreground start ended:\n%s", out)
		}
	})

	t.Run("nodejs", func(t *testing.T) {
		requireFreePort(t, "127.0.0.1:8080")
		build(t, d, "node-app", filepath.Join(examples, "nodejs", "Dockerfile"))
		d.OK(t, "run", "-d", "--name", "app1", "--network", "host", "node-app", "/init")
		body, ok := httpGet(t, "http://127.0.0.1:8080/seed")
		if !ok {
			t.Fatalf("the node server did not answer on 127.0.0.1:8080 within %v; logs:\n%v\ndaemon log:\n%s",
				serveTimeout, d.Run(t, "logs", "app1"), d.Log())
		}
		if !strings.Contains(body, "hello from a container: /seed") {
			t.Errorf("127.0.0.1:8080 answered %q, want the server's greeting", body)
		}
		if out := d.OK(t, "logs", "app1"); !strings.Contains(out, "listening on 8080") {
			t.Errorf("logs of app1 lack the server's line:\n%s", out)
		}
		d.OK(t, "rm", "-f", "app1")
		if _, err := (&http.Client{Timeout: time.Second}).Get("http://127.0.0.1:8080/"); err == nil {
			t.Errorf("port 8080 still answers after rm -f app1")
		}
	})
}
