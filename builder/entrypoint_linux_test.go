package builder

import (
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/image"
)

// TestEntrypointMeanings builds one Dockerfile with each meaning, and
// with the directive overriding the one asked for.
func TestEntrypointMeanings(t *testing.T) {
	const body = `FROM busybox AS base
CMD ["inherited"]
FROM base
ENTRYPOINT ["echo", "hello"]
CMD ["world"]
`
	type want struct {
		meaning    string
		entrypoint []string
		cmd        []string
		startup    [][]string
	}
	seed := want{image.EntrypointSeed, nil, []string{"world"}, [][]string{{"echo", "hello"}}}
	docker := want{image.EntrypointDocker, []string{"echo", "hello"}, []string{"world"}, nil}
	cases := []struct {
		name      string
		directive string
		asked     string
		want      want
	}{
		{"default is the seed's", "", "", seed},
		{"seed asked", "", image.EntrypointSeed, seed},
		{"docker asked", "", image.EntrypointDocker, docker},
		{"directive docker over seed", "# entrypoint=docker\n", image.EntrypointSeed, docker},
		{"directive seed over docker", "# escape=\\\n#  ENTRYPOINT = Seed \n", image.EntrypointDocker, seed},
	}
	e := newTestEnv(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := newContext(t, c.directive+body, nil)
			img, _ := e.mustBuild(t, Options{ContextDir: dir, EntrypointMeaning: c.asked})
			got := want{img.EntrypointMeaning(), img.Config.Config.Entrypoint, img.Config.Config.Cmd, img.StartupCommands}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("built %+v, want %+v", got, c.want)
			}
			if v := img.Config.Config.Labels[image.EntrypointMeaningLabel]; v != c.want.meaning {
				t.Errorf("label %s = %q, want %q", image.EntrypointMeaningLabel, v, c.want.meaning)
			}
		})
	}
}

// TestDockerEntrypointCmdRules checks Docker's rules around ENTRYPOINT: the
// shell form is SHELL + the line, an inherited CMD is dropped, a CMD of
// the stage written before ENTRYPOINT stays, `ENTRYPOINT []` clears, and
// a seed base's startup commands are kept.
func TestDockerEntrypointCmdRules(t *testing.T) {
	e := newTestEnv(t)
	cases := []struct {
		name       string
		dockerfile string
		entrypoint []string
		cmd        []string
		startup    [][]string
	}{
		{"shell form", "FROM busybox\nENTRYPOINT echo hi\nCMD [\"ignored\"]\n", []string{"/bin/sh", "-c", "echo hi"}, []string{"ignored"}, nil},
		{"SHELL applies", "FROM busybox\nSHELL [\"/bin/ash\", \"-ec\"]\nENTRYPOINT echo hi\n", []string{"/bin/ash", "-ec", "echo hi"}, nil, nil},
		{"inherited CMD dropped", "FROM busybox AS b\nCMD [\"base\"]\nFROM b\nENTRYPOINT [\"x\"]\n", []string{"x"}, nil, nil},
		{"CMD of the stage kept", "FROM busybox\nCMD [\"mine\"]\nENTRYPOINT [\"x\"]\n", []string{"x"}, []string{"mine"}, nil},
		{"empty exec form clears", "FROM busybox AS b\nENTRYPOINT [\"x\"]\nFROM b\nENTRYPOINT []\n", nil, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := newContext(t, c.dockerfile, nil)
			img, _ := e.mustBuild(t, Options{ContextDir: dir, EntrypointMeaning: image.EntrypointDocker})
			cfg := img.Config.Config
			if !reflect.DeepEqual(cfg.Entrypoint, c.entrypoint) || !reflect.DeepEqual(cfg.Cmd, c.cmd) || !reflect.DeepEqual(img.StartupCommands, c.startup) {
				t.Errorf("Entrypoint %q Cmd %q startup %q, want %q %q %q", cfg.Entrypoint, cfg.Cmd, img.StartupCommands, c.entrypoint, c.cmd, c.startup)
			}
		})
	}

	// A Docker-meaning image FROM a seed image: the base's startup
	// commands still run first, then its own Entrypoint + Cmd.
	seedDir := newContext(t, "FROM busybox\nENTRYPOINT [\"setup\"]\n", nil)
	if _, _ = e.mustBuild(t, Options{ContextDir: seedDir, Tags: []string{"seedbase"}}); true {
		dir := newContext(t, "FROM seedbase\nENTRYPOINT [\"x\"]\n", nil)
		img, _ := e.mustBuild(t, Options{ContextDir: dir, EntrypointMeaning: image.EntrypointDocker})
		if want := [][]string{{"setup"}}; !reflect.DeepEqual(img.StartupCommands, want) || img.EntrypointMeaning() != image.EntrypointDocker {
			t.Errorf("FROM a seed image: startup %q meaning %q, want %q docker", img.StartupCommands, img.EntrypointMeaning(), want)
		}
	}
}

// TestEntrypointMeaningsDoNotShareCache checks that a cached seed
// ENTRYPOINT step is not reused by a Docker build of the same file.
func TestEntrypointMeaningsDoNotShareCache(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, "FROM busybox\nENTRYPOINT [\"echo\", \"hi\"]\n", nil)
	e.mustBuild(t, Options{ContextDir: dir})
	img, out := e.mustBuild(t, Options{ContextDir: dir, EntrypointMeaning: image.EntrypointDocker})
	if img.StartupCommands != nil || !reflect.DeepEqual(img.Config.Config.Entrypoint, []string{"echo", "hi"}) {
		t.Errorf("docker build after a seed build: startup %q Entrypoint %q\n%s", img.StartupCommands, img.Config.Config.Entrypoint, out)
	}
	if !strings.Contains(out, "ENTRYPOINT's meaning changed") {
		t.Errorf("the cache miss does not name the changed meaning:\n%s", out)
	}
	again, _ := e.mustBuild(t, Options{ContextDir: dir})
	if again.EntrypointMeaning() != image.EntrypointSeed || again.Config.Config.Entrypoint != nil {
		t.Errorf("seed rebuild: meaning %q Entrypoint %q", again.EntrypointMeaning(), again.Config.Config.Entrypoint)
	}
}

func TestEntrypointMeaningOptionChecked(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, "FROM busybox\n", nil)
	_, _, err := e.build(t, Options{ContextDir: dir, EntrypointMeaning: "oci"})
	if err == nil || !strings.Contains(err.Error(), `"oci"`) {
		t.Errorf("meaning oci: err %v, want one naming it", err)
	}
}
