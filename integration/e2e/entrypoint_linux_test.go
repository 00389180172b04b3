package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// helloWorld is Docker's ENTRYPOINT + CMD example: under Docker it prints
// "hello world". Built with the seed's form, ENTRYPOINT is a startup
// command instead.
const helloWorld = `FROM busybox
ENTRYPOINT ["echo", "hello"]
CMD ["world"]
`

// entrypointContext writes a build context holding dockerfile and files
// (path -> content; a path ending in .sh is made executable), and returns
// the Dockerfile's path.
func entrypointContext(t testing.TB, dockerfile string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["Dockerfile"] = dockerfile
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "Dockerfile")
}

// buildDocker runs Docker's `build -t NAME CONTEXT`.
func buildDocker(t testing.TB, d *daemon.Daemon, name, dockerfile string) {
	t.Helper()
	if r := d.Exec(buildTimeout, nil, "build", "-q", "-t", name, filepath.Dir(dockerfile)); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
}

// imageMeaning is what `image inspect` shows of an image's ENTRYPOINT:
// our entrypointMeaning and startupCommands, and Docker's Config fields.
type imageMeaning struct {
	Meaning    string     `json:"entrypointMeaning"`
	Startup    [][]string `json:"startupCommands"`
	Entrypoint []string
	Cmd        []string
}

func inspectMeaning(t testing.TB, d *daemon.Daemon, name string) imageMeaning {
	t.Helper()
	out := d.OK(t, "image", "inspect", name)
	var views []struct {
		imageMeaning
		Config struct{ Entrypoint, Cmd []string }
	}
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 1 {
		t.Fatalf("image inspect %s: %v\n%s", name, err, out)
	}
	m := views[0].imageMeaning
	m.Entrypoint, m.Cmd = views[0].Config.Entrypoint, views[0].Config.Cmd
	return m
}

// runs runs each command line (run --rm ARGS...) and checks its output.
func runs(t *testing.T, d *daemon.Daemon, cases [][2]string) {
	t.Helper()
	for _, c := range cases {
		args := append([]string{"run", "--rm", "--network", "none"}, strings.Fields(c[0])...)
		r := d.Run(t, args...)
		if r.Code != 0 || r.Stdout != c[1] {
			t.Errorf("run --rm %s: code %d stdout %q stderr %q, want stdout %q", c[0], r.Code, r.Stdout, r.Stderr, c[1])
		}
	}
}

// TestEntrypointBothMeanings builds Docker's hello-world Dockerfile once
// with each build form, and with each directive against the form: the
// seed's form makes ENTRYPOINT a startup command, Docker's form makes it
// the process (Entrypoint + Cmd), the directive wins over the form, and
// image inspect tells which meaning each image carries.
func TestEntrypointBothMeanings(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)

	build(t, d, "ep-seed", entrypointContext(t, helloWorld, map[string]string{}))
	buildDocker(t, d, "ep-docker", entrypointContext(t, helloWorld, map[string]string{}))
	// The directive overrides the form, either way.
	buildDocker(t, d, "ep-directive-seed", entrypointContext(t, "# entrypoint=seed\n"+helloWorld, map[string]string{}))
	build(t, d, "ep-directive-docker", entrypointContext(t, "# entrypoint=docker\n"+helloWorld, map[string]string{}))

	seed := imageMeaning{Meaning: "seed", Startup: [][]string{{"echo", "hello"}}, Cmd: []string{"world"}}
	docker := imageMeaning{Meaning: "docker", Entrypoint: []string{"echo", "hello"}, Cmd: []string{"world"}}
	for name, want := range map[string]imageMeaning{
		"ep-seed": seed, "ep-directive-seed": seed,
		"ep-docker": docker, "ep-directive-docker": docker,
	} {
		if got := inspectMeaning(t, d, name); !reflect.DeepEqual(got, want) {
			t.Errorf("image inspect %s: %+v, want %+v", name, got, want)
		}
	}

	runs(t, d, [][2]string{
		// Seed: the startup command runs, then the target.
		{"ep-seed echo there", "hello\nthere\n"},
		{"ep-directive-seed echo there", "hello\nthere\n"},
		// Docker: Entrypoint + Cmd; run's arguments replace only the Cmd.
		{"ep-docker", "hello world\n"},
		{"ep-docker there", "hello there\n"},
		{"ep-directive-docker", "hello world\n"},
		// --entrypoint replaces the Entrypoint and drops the image's Cmd.
		{"--entrypoint echo ep-docker over", "over\n"},
		{"--entrypoint pwd ep-docker", "/\n"},
	})

	// A Docker image saved and loaded back keeps running as Docker runs it.
	archive := filepath.Join(t.TempDir(), "ep.tar")
	d.OK(t, "save", "-o", archive, "ep-docker")
	d.OK(t, "rmi", "ep-docker")
	d.OK(t, "load", "-i", archive)
	runs(t, d, [][2]string{{"ep-docker", "hello world\n"}})
	if got := inspectMeaning(t, d, "ep-docker"); !reflect.DeepEqual(got, docker) {
		t.Errorf("image inspect of the loaded ep-docker: %+v, want %+v", got, docker)
	}
}

// TestEntrypointDockerPatterns runs the ENTRYPOINT patterns of popular
// Docker images, built with Docker's form: a docker-entrypoint.sh ending
// in `exec "$@"` gets the CMD (or run's arguments) as its arguments, and
// the shell form runs `/bin/sh -c LINE`, which ignores the CMD.
func TestEntrypointDockerPatterns(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)

	script := `#!/bin/sh
set -e
echo "entrypoint got $# args"
if [ "$1" = serve ]; then
	set -- echo serving
fi
exec "$@"
`
	buildDocker(t, d, "ep-script", entrypointContext(t, `FROM busybox
COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["serve"]
`, map[string]string{"docker-entrypoint.sh": script}))
	buildDocker(t, d, "ep-shell", entrypointContext(t, `FROM busybox
ENTRYPOINT echo hi
CMD ["ignored"]
`, map[string]string{}))
	// An inherited CMD is dropped by a new ENTRYPOINT (Docker's rule).
	buildDocker(t, d, "ep-child", entrypointContext(t, `FROM ep-script
ENTRYPOINT ["echo", "child"]
`, map[string]string{}))

	runs(t, d, [][2]string{
		{"ep-script", "entrypoint got 1 args\nserving\n"},
		{"ep-script echo a b", "entrypoint got 3 args\na b\n"},
		{"--entrypoint echo ep-script skipped", "skipped\n"},
		{"ep-shell", "hi\n"},
		{"ep-shell other args", "hi\n"},
		{"ep-child", "child\n"},
	})
	if got := inspectMeaning(t, d, "ep-child"); got.Cmd != nil || got.Meaning != "docker" {
		t.Errorf("ep-child: %+v, want no Cmd (dropped by ENTRYPOINT) and Docker's meaning", got)
	}
}
