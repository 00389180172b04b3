package dockerclients

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// composeV5Module is the module of its own (go.mod, go.sum) that pins
// Docker Compose v2's Go implementation; composeV5Main its CLI's main
// package.
const (
	composeV5Module = "composev5"
	composeV5Path   = "github.com/docker/compose/v5"
	composeV5Main   = composeV5Path + "/cmd"
)

// TestComposeV5 brings up testdata/compose.yml, the application
// TestCompose brings up with Debian's Python docker-compose 1.29, with the
// Go Compose of today (github.com/docker/compose/v5, pinned in
// composev5/go.mod and built here from the Go module proxy), which speaks
// the Engine API through the moby client: a user network with name
// resolution between the services, a named volume, depends_on, a port
// published on 127.0.0.1; a second `up -d` that keeps the containers as
// they are; then ps (table and JSON), logs and exec, and `down -v`, which
// removes the network and the volume on their own path, after which no
// container, network or volume of the project is left; last, an attached
// `up --exit-code-from` of a one-shot service ends with its exit code.
func TestComposeV5(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "go")
	bin := buildComposeV5(t, t.TempDir())
	d := daemon.New(t)
	d.Busybox(t)
	port := freePort(t)
	dir := t.TempDir()
	file, err := os.ReadFile("testdata/compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	config := t.TempDir()
	// compose runs Compose on a project for at most timeout and returns
	// its standard output and error (the progress lines).
	compose := func(project string, timeout time.Duration, args ...string) (stdout, stderr string, err error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--ansi", "never", "--progress", "plain", "-p", project}, args...)...)
		cmd.Dir = dir
		// No docker CLI config, no BuildKit (nothing is built): Compose
		// needs only the daemon's socket.
		cmd.Env = []string{"DOCKER_HOST=unix://" + d.Socket, "DOCKER_CONFIG=" + config, "HOME=" + dir,
			"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "COMPOSE_BAKE=false", "DOCKER_BUILDKIT=0",
			"WEB_PORT=" + fmt.Sprint(port)}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Run(); err != nil {
			return out.String(), errOut.String(), fmt.Errorf("docker-compose %s: %w\nstdout: %s\nstderr: %s\ndaemon log:\n%s",
				strings.Join(args, " "), err, out.String(), errOut.String(), tail(d.Log(), 40))
		}
		return out.String(), errOut.String(), nil
	}
	run := func(timeout time.Duration, args ...string) (stdout, stderr string, err error) {
		return compose("crtcompose", timeout, args...)
	}
	mustFor := func(timeout time.Duration, args ...string) (stdout, stderr string) {
		t.Helper()
		stdout, stderr, err := run(timeout, args...)
		if err != nil {
			t.Fatal(err)
		}
		return stdout, stderr
	}
	must := func(args ...string) string {
		t.Helper()
		out, _ := mustFor(3*time.Minute, args...)
		return out
	}
	down := false
	t.Cleanup(func() {
		if !down {
			run(time.Minute, "down", "-v", "-t", "1")
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
		logs, _, _ := run(time.Minute, "logs")
		t.Fatalf("GET / on the published port: %q, want the db's value\nlogs:\n%s", body, logs)
	}
	// depends_on: db was started before web.
	db, web := d.Inspect(t, "crtcompose-db-1"), d.Inspect(t, "crtcompose-web-1")
	if !db.StateDetail.StartedAt.Before(web.StateDetail.StartedAt) {
		t.Errorf("db started at %s, web at %s: depends_on wants db first", db.StateDetail.StartedAt, web.StateDetail.StartedAt)
	}

	// up again changes nothing: Compose finds its containers as it made
	// them (their networks' ids in the container list).
	if _, progress := mustFor(3*time.Minute, "up", "-d"); strings.Contains(progress, "Recreate") {
		t.Errorf("a second up -d recreated containers:\n%s", progress)
	}
	if again := d.Inspect(t, "crtcompose-db-1"); again.ID != db.ID {
		t.Errorf("a second up -d replaced db %s by %s", db.ID, again.ID)
	}

	ps := must("ps")
	for _, svc := range []string{"crtcompose-db-1", "crtcompose-web-1"} {
		if !strings.Contains(ps, svc) || !strings.Contains(ps, "Up") {
			t.Errorf("compose ps lacks %s up:\n%s", svc, ps)
		}
	}
	if !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
		t.Errorf("compose ps lacks the published port:\n%s", ps)
	}
	checkComposePsJSON(t, must("ps", "--format", "json"), port)

	if logs := must("logs", "db"); !strings.Contains(logs, "db-ready") {
		t.Errorf("compose logs db: %q, want db-ready", logs)
	}
	if logs := must("logs"); !strings.Contains(logs, "db-ready") || !strings.Contains(logs, "web-ready") {
		t.Errorf("compose logs: %q, want both services' lines", logs)
	}
	if out := must("exec", "-T", "web", "cat", "/www/index.html"); out != "stored-in-volume\n" {
		t.Errorf("compose exec: %q", out)
	}
	if out := must("exec", "-T", "db", "nslookup", "web"); !strings.Contains(out, "Address") {
		t.Errorf("db cannot resolve web: %q", out)
	}

	_, progress := mustFor(3*time.Minute, "down", "-v", "-t", "1")
	down = true
	for _, want := range []string{"Network crtcompose_app Removed", "Volume crtcompose_dbdata Removed"} {
		if !strings.Contains(progress, want) || strings.Contains(progress, "No resource found") {
			t.Errorf("compose down -v: want %q and no missing resource:\n%s", want, progress)
		}
	}
	if out := strings.TrimSpace(must("ps", "-a", "-q")); out != "" {
		t.Errorf("after down -v, compose ps -a lists %q", out)
	}
	// Our CLI lists what is left: nothing of the project.
	if out := strings.TrimSpace(d.OK(t, "ps", "-aq", "--filter", "label=com.docker.compose.project=crtcompose")); out != "" {
		t.Errorf("after down -v, containers of the project are left: %q", out)
	}
	for _, c := range [][]string{{"network", "ls"}, {"volume", "ls", "-q"}} {
		if out := d.OK(t, c...); strings.Contains(out, "crtcompose") {
			t.Errorf("after down -v, %s still lists the project's:\n%s", strings.Join(c, " "), out)
		}
	}

	// An attached up follows its containers with GET /events filtered by
	// the project's labels, and ends with the exit of the service named.
	if err := os.WriteFile(filepath.Join(dir, "job.yaml"), []byte(composeV5Job), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { compose("crtcomposejob", time.Minute, "-f", "job.yaml", "down", "-t", "1") })
	out, _, err := compose("crtcomposejob", time.Minute, "-f", "job.yaml", "up", "--exit-code-from", "job")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(out, "job-done") {
		t.Errorf("compose up --exit-code-from job: %q, %v; want job-done and the job's exit code 3", out, err)
	}
	if _, _, err := compose("crtcomposejob", time.Minute, "-f", "job.yaml", "down", "-t", "1"); err != nil {
		t.Error(err)
	}
}

// composeV5Job is a project of one service that ends by itself.
const composeV5Job = `services:
  job:
    image: busybox
    command: ["sh", "-c", "echo job-done; exit 3"]
`

// checkComposePsJSON checks `compose ps --format json`: one JSON object a
// line, one for each service, running, web's with its published port.
func checkComposePsJSON(t testing.TB, out string, port int) {
	t.Helper()
	type publisher struct {
		URL           string
		TargetPort    int
		PublishedPort int
		Protocol      string
	}
	type entry struct {
		Name, Service, State, Project string
		Publishers                    []publisher
	}
	services := map[string]entry{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("compose ps --format json: line %q: %v", line, err)
		}
		services[e.Service] = e
	}
	for _, svc := range []string{"db", "web"} {
		e, ok := services[svc]
		if !ok || e.State != "running" || e.Project != "crtcompose" || e.Name != "crtcompose-"+svc+"-1" {
			t.Errorf("compose ps --format json: service %s is %+v, want crtcompose-%s-1 running\n%s", svc, e, svc, out)
		}
	}
	want := publisher{URL: "127.0.0.1", TargetPort: 8080, PublishedPort: port, Protocol: "tcp"}
	if p := services["web"].Publishers; len(p) != 1 || p[0] != want {
		t.Errorf("compose ps --format json: web's publishers %+v, want [%+v]", p, want)
	}
}

// buildComposeV5 builds the pinned Compose's docker-compose into dir and
// returns its path; a failed build fails the test. The version comes from
// composev5/go.mod, so `docker-compose version` names the pin. The first
// build takes about two minutes on two cores, later ones seconds (Go's
// build cache). It needs only the modules `go mod download` fetches there
// (.ci/run does, and checks that the go.mod is tidy).
func buildComposeV5(t testing.TB, dir string) string {
	t.Helper()
	version := strings.TrimSpace(goOutput(t, composeV5Module, "list", "-m", "-f", "{{.Version}}", composeV5Path))
	bin := filepath.Join(dir, "docker-compose")
	start := time.Now()
	goOutput(t, composeV5Module, "build",
		"-ldflags", "-s -w -X "+composeV5Path+"/internal.Version="+version,
		"-o", bin, composeV5Main)
	t.Logf("built docker-compose %s in %s", version, time.Since(start).Round(time.Second))
	return bin
}

// goOutput runs `go args...` in dir and returns its standard output; a
// failure fails the test with go's standard error.
func goOutput(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return stdout.String()
}
