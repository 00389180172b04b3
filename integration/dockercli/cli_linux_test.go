package dockercli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	testregistry "github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// sortedLines is lines, sorted (images of the same age list in any order).
func sortedLines(s string) []string {
	l := lines(s)
	slices.Sort(l)
	return l
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestVersionInfo: docker version and docker info read our answers: the
// API versions served and the daemon's facts.
func TestVersionInfo(t *testing.T) {
	c := newCLI(t)
	if got := strings.TrimSpace(c.ok(t, "version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}")); got != "1.57 1.41 linux" {
		t.Errorf("docker version: server %q, want the API versions 1.57 (newest) 1.41 (oldest) on linux", got)
	}
	got := strings.TrimSpace(c.ok(t, "info", "--format", "{{.OSType}} {{.Images}} {{.Containers}} {{.DockerRootDir}}"))
	if want := "linux 1 0 " + c.d.Root; got != want {
		t.Errorf("docker info: %q, want %q", got, want)
	}
}

// TestDockerSocket: --docker-socket serves the same API on a second
// socket, for tools that hard-code Docker's path.
func TestDockerSocket(t *testing.T) {
	second := filepath.Join(t.TempDir(), "docker.sock")
	c := newCLI(t, "--docker-socket", second)
	c.socket = second
	if got := c.ok(t, "run", "--rm", "busybox", "echo", "second"); got != "second\n" {
		t.Errorf("docker run through --docker-socket printed %q", got)
	}
	if got := strings.TrimSpace(c.ok(t, "images", "--format", "{{.Repository}}")); got != "busybox" {
		t.Errorf("docker images through --docker-socket: %q", got)
	}
}

// TestRun: docker run --rm prints the container's output, passes its
// exit code on and leaves no container behind.
func TestRun(t *testing.T) {
	c := newCLI(t)
	if got := c.ok(t, "run", "--rm", "busybox", "echo", "hi"); got != "hi\n" {
		t.Errorf("docker run --rm busybox echo hi printed %q, want \"hi\\n\"", got)
	}
	if r := c.run(nil, nil, "run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"); r.code != 3 || r.stdout != "out\n" || r.stderr != "err\n" {
		t.Errorf("exit 3 with stdout and stderr apart, got %v", r)
	}
	// Stdin reaches the container (-i), and its end ends cat.
	if r := c.run(strings.NewReader("piped\n"), nil, "run", "--rm", "-i", "busybox", "cat"); r.code != 0 || r.stdout != "piped\n" {
		t.Errorf("docker run -i with piped stdin: %v", r)
	}
	// A --rm container that cannot start is removed, and run ends (the
	// CLI waits for the removal): a read-only root without the workdir.
	if r := c.run(nil, nil, "run", "--rm", "--read-only", "-w", "/nonexistent", "busybox", "true"); r.code == 0 || !strings.Contains(r.stderr, "/nonexistent") {
		t.Errorf("a container that cannot start: %v", r)
	}
	// The attach is answered only once the daemon waits for the start:
	// no run misses its container's first output (CI saw one do so).
	for i := range 20 {
		want := fmt.Sprintf("run %d\n", i)
		if got := c.ok(t, "run", "--rm", "busybox", "echo", "run", strconv.Itoa(i)); got != want {
			t.Errorf("docker run --rm busybox echo run %d printed %q, want %q", i, got, want)
		}
	}
	if got := c.ok(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("--rm left containers: %q", got)
	}
}

// TestDetached: run -d, ps --format, logs (stdout and stderr apart),
// exec (output, exit code, stdin), inspect -f, top, stop, wait, rm -f.
func TestDetached(t *testing.T) {
	c := newCLI(t)
	id := strings.TrimSpace(c.ok(t, "run", "-d", "--name", "web", "--label", "tier=front", "busybox",
		"sh", "-c", "echo started; echo oops >&2; exec sleep 300"))
	if len(id) != 64 {
		t.Fatalf("docker run -d printed %q, want a 64-digit id", id)
	}
	if got := c.ok(t, "ps", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.State}}"); got != id[:12]+" web busybox running\n" {
		t.Errorf("docker ps --format: %q", got)
	}
	if got := c.ok(t, "ps", "--filter", "label=tier=front", "-q"); got != id[:12]+"\n" {
		t.Errorf("docker ps --filter label=tier=front: %q", got)
	}
	if got := c.ok(t, "ps", "--filter", "label=tier=back", "-q"); got != "" {
		t.Errorf("docker ps --filter label=tier=back: %q, want nothing", got)
	}
	var logs result
	testutil.WaitFor(t, 30*time.Second, "the container's output in docker logs", func() bool {
		logs = c.run(nil, nil, "logs", "web")
		return logs.code == 0 && logs.stdout != "" && logs.stderr != ""
	})
	if logs.stdout != "started\n" || logs.stderr != "oops\n" {
		t.Errorf("docker logs: stdout %q stderr %q, want started and oops apart", logs.stdout, logs.stderr)
	}
	if got := c.ok(t, "exec", "web", "echo", "from-exec"); got != "from-exec\n" {
		t.Errorf("docker exec: %q", got)
	}
	if r := c.run(nil, nil, "exec", "web", "sh", "-c", "exit 5"); r.code != 5 {
		t.Errorf("docker exec's exit code: %v, want 5", r)
	}
	if r := c.run(strings.NewReader("to-exec\n"), nil, "exec", "-i", "web", "cat"); r.code != 0 || r.stdout != "to-exec\n" {
		t.Errorf("docker exec -i with piped stdin: %v", r)
	}
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.State.Running}} {{.Name}} {{.Config.Image}} {{index .Config.Labels \"tier\"}}", "web")); got != "true /web busybox front" {
		t.Errorf("docker inspect -f: %q", got)
	}
	if got := c.ok(t, "top", "web"); !strings.Contains(got, "sleep 300") {
		t.Errorf("docker top does not list the sleep:\n%s", got)
	}
	if got := strings.TrimSpace(c.ok(t, "stop", "-t", "1", "web")); got != "web" {
		t.Errorf("docker stop printed %q", got)
	}
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web")); got != "exited 137" {
		t.Errorf("after stop: %q, want exited 137 (sleep as PID 1 ignores SIGTERM)", got)
	}
	if got := strings.TrimSpace(c.ok(t, "wait", "web")); got != "137" {
		t.Errorf("docker wait on the stopped container: %q", got)
	}
	// docker wait blocks until the exit, and prints its code.
	c.ok(t, "run", "-d", "--name", "seven", "busybox", "sh", "-c", "sleep 1; exit 7")
	if got := strings.TrimSpace(c.ok(t, "wait", "seven")); got != "7" {
		t.Errorf("docker wait: %q, want 7", got)
	}
	c.ok(t, "rm", "-f", "web", "seven")
	if got := c.ok(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("rm -f left containers: %q", got)
	}
	if r := c.run(nil, nil, "inspect", "web"); r.code == 0 || !strings.Contains(r.stderr, "No such") && !strings.Contains(r.stderr, "not found") {
		t.Errorf("inspect of a removed container: %v", r)
	}
}

// TestImages: images, tag, rmi, build (classic builder, build args and a
// label), save | load.
func TestImages(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "tag", "busybox", "mybox:v1")
	if got := sortedLines(c.ok(t, "images", "--format", "{{.Repository}}:{{.Tag}}")); !slices.Equal(got, []string{"busybox:latest", "mybox:v1"}) {
		t.Errorf("docker images after tag: %q", got)
	}
	if got := c.ok(t, "rmi", "mybox:v1"); !strings.Contains(got, "Untagged: mybox:v1") {
		t.Errorf("docker rmi printed %q", got)
	}
	if got := lines(c.ok(t, "images", "--format", "{{.Repository}}:{{.Tag}}")); !slices.Equal(got, []string{"busybox:latest"}) {
		t.Errorf("docker images after rmi: %q", got)
	}

	dir := t.TempDir()
	dockerfile := "FROM busybox\nARG GREETING=unset\nRUN echo $GREETING > /greeting\nCMD [\"cat\", \"/greeting\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run(nil, []string{"DOCKER_BUILDKIT=0"}, "build", "-t", "built:1", "--build-arg", "GREETING=hello", "--label", "team=blue", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Successfully tagged built:1") {
		t.Fatalf("docker build: %v", r)
	}
	if got := c.ok(t, "run", "--rm", "built:1"); got != "hello\n" {
		t.Errorf("the built image printed %q, want the build arg's hello", got)
	}
	if got := strings.TrimSpace(c.ok(t, "image", "inspect", "-f", "{{index .Config.Labels \"team\"}}", "built:1")); got != "blue" {
		t.Errorf("the build's label: %q", got)
	}
	if got := c.ok(t, "history", "built:1"); !strings.Contains(got, "RUN echo $GREETING") && !strings.Contains(got, "echo $GREETING") {
		t.Errorf("docker history does not show the RUN step:\n%s", got)
	}
	// A Dockerfile that fails makes docker build fail, with the reason.
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN exit 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := c.run(nil, []string{"DOCKER_BUILDKIT=0"}, "build", "-t", "broken", dir); r.code == 0 {
		t.Errorf("a failing RUN built: %v", r)
	}

	// docker save | docker load.
	saved := c.run(nil, nil, "save", "built:1")
	if saved.code != 0 || len(saved.stdout) < 1024 {
		t.Fatalf("docker save: exit %d, %d bytes, stderr %s", saved.code, len(saved.stdout), saved.stderr)
	}
	c.ok(t, "rmi", "built:1")
	loaded := c.run(bytes.NewReader([]byte(saved.stdout)), nil, "load")
	if loaded.code != 0 || !strings.Contains(loaded.stdout, "Loaded image: built:1") {
		t.Fatalf("docker load: %v", loaded)
	}
	if got := c.ok(t, "run", "--rm", "built:1"); got != "hello\n" {
		t.Errorf("the loaded image printed %q", got)
	}
}

// TestNetwork: network create, ls, inspect, a container on it, rm.
func TestNetwork(t *testing.T) {
	c := newCLI(t)
	id := strings.TrimSpace(c.ok(t, "network", "create", "dockernet"))
	if len(id) < 12 {
		t.Fatalf("docker network create printed %q, want an id", id)
	}
	if got := lines(c.ok(t, "network", "ls", "--format", "{{.Name}} {{.Driver}}")); !slices.Contains(got, "dockernet bridge") {
		t.Errorf("docker network ls: %q", got)
	}
	if got := strings.TrimSpace(c.ok(t, "network", "inspect", "-f", "{{.Name}} {{.Driver}} {{len .IPAM.Config}}", "dockernet")); got != "dockernet bridge 1" {
		t.Errorf("docker network inspect -f: %q", got)
	}
	c.ok(t, "run", "-d", "--name", "member", "--network", "dockernet", "busybox", "sleep", "300")
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{.HostConfig.NetworkMode}}", "member")); got != "dockernet" {
		t.Errorf("the container's network mode: %q", got)
	}
	if got := c.ok(t, "network", "inspect", "-f", "{{range .Containers}}{{.Name}}{{end}}", "dockernet"); strings.TrimSpace(got) != "member" {
		t.Errorf("the network's containers: %q", got)
	}
	if r := c.run(nil, nil, "network", "rm", "dockernet"); r.code == 0 {
		t.Errorf("a network in use was removed: %v", r)
	}
	c.ok(t, "rm", "-f", "member")
	c.ok(t, "network", "rm", "dockernet")
	if got := lines(c.ok(t, "network", "ls", "--format", "{{.Name}}")); slices.Contains(got, "dockernet") {
		t.Errorf("the network is still listed: %q", got)
	}
}

// TestPushPull: docker push and pull against a registry on 127.0.0.1
// (loopback registries need no --insecure-registry, as with Docker).
func TestPushPull(t *testing.T) {
	c := newCLI(t)
	reg := testregistry.Start(t, testregistry.Credentials{})
	ref := reg + "/lib/box:1"
	c.ok(t, "tag", "busybox", ref)
	if got := c.ok(t, "push", ref); !strings.Contains(got, "digest: sha256:") {
		t.Errorf("docker push printed no digest:\n%s", got)
	}
	c.ok(t, "rmi", ref)
	if got := c.ok(t, "pull", ref); !strings.Contains(got, ref) {
		t.Errorf("docker pull printed:\n%s", got)
	}
	if got := c.ok(t, "run", "--rm", ref, "echo", "pulled"); got != "pulled\n" {
		t.Errorf("the pulled image printed %q", got)
	}
	if r := c.run(nil, nil, "pull", reg+"/lib/missing:1"); r.code == 0 {
		t.Errorf("pulling a missing image succeeded: %v", r)
	}
}

// TestLoginPush: docker login checks the credentials with a registry that
// asks for them (POST /auth), the CLI then sends them with push and pull
// (X-Registry-Auth); wrong ones are refused.
func TestLoginPush(t *testing.T) {
	c := newCLI(t)
	creds := testregistry.Credentials{User: "alice", Password: "s3cret-pa55"}
	reg := testregistry.Start(t, creds)
	if r := c.run(strings.NewReader("wrong\n"), nil, "login", "-u", creds.User, "--password-stdin", reg); r.code == 0 {
		t.Errorf("docker login with a wrong password: %v", r)
	}
	if r := c.run(strings.NewReader(creds.Password+"\n"), nil, "login", "-u", creds.User, "--password-stdin", reg); r.code != 0 || !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %v", r)
	}
	ref := reg + "/private/box:1"
	c.ok(t, "tag", "busybox", ref)
	if got := c.ok(t, "push", ref); !strings.Contains(got, "digest: sha256:") {
		t.Errorf("docker push with credentials printed no digest:\n%s", got)
	}
	c.ok(t, "rmi", ref)
	c.ok(t, "pull", ref)
	if got := c.ok(t, "run", "--rm", ref, "echo", "private"); got != "private\n" {
		t.Errorf("the pulled private image printed %q", got)
	}
}
