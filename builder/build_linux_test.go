package builder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// fiveSteps is the benchmark build of the issue: FROM, COPY a small
// directory, two RUNs, ENTRYPOINT.
const fiveSteps = `FROM busybox
COPY app /app
RUN echo built > /app/built.txt
RUN mkdir -p /data && cp /app/server.js /data/
ENTRYPOINT echo starting
`

// fiveStepsFiles is the context of fiveSteps.
func fiveStepsFiles() map[string]string {
	return map[string]string{
		"app/server.js":    "console.log('hi')\n",
		"app/lib/util.js":  "module.exports = {}\n",
		"app/static/a.css": "body{}\n",
	}
}

func TestBuildFiveSteps(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, fiveSteps, fiveStepsFiles())
	// Context files owned by someone else still land as root's.
	if err := os.Lchown(filepath.Join(dir, "app/server.js"), 1234, 1234); err != nil {
		t.Fatal(err)
	}
	img, out := e.mustBuild(t, Options{ContextDir: dir, Tags: []string{"app"}})

	for p, want := range map[string]string{
		"/app/server.js":   "console.log('hi')\n",
		"/app/lib/util.js": "module.exports = {}\n",
		"/app/built.txt":   "built\n",
		"/data/server.js":  "console.log('hi')\n",
	} {
		if got := e.readFile(t, img, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if fi := e.lstat(img, "/app/server.js"); fi == nil {
		t.Error("/app/server.js missing")
	} else if uid, gid := ownerOf(fi); uid != 0 || gid != 0 {
		t.Errorf("/app/server.js owned by %d:%d, want 0:0", uid, gid)
	}
	if len(img.Layers) != 4 {
		t.Errorf("image has %d layers, want 4 (busybox + COPY + 2 RUN)", len(img.Layers))
	}
	if img.Layers[0] != e.busybox.Layers[0] {
		t.Error("the base layer was not shared")
	}
	for _, l := range img.Layers[1:] {
		for _, mp := range runtimeMountPoints() {
			if _, err := os.Lstat(filepath.Join(e.store.LayerDir(l), mp)); err == nil {
				t.Errorf("layer %s has the runtime's mount point /%s", l, mp)
			}
		}
	}
	if !reflect.DeepEqual(img.Config.RootFS.DiffIDs, img.Layers) {
		t.Errorf("RootFS.DiffIDs %v != layers %v", img.Config.RootFS.DiffIDs, img.Layers)
	}
	wantStartup := [][]string{{"/bin/sh", "-c", "echo starting"}}
	if !reflect.DeepEqual(img.StartupCommands, wantStartup) {
		t.Errorf("startup commands %q, want %q", img.StartupCommands, wantStartup)
	}
	if img.Config.Config.Entrypoint != nil {
		t.Errorf("Docker's Entrypoint set to %q: ENTRYPOINT has the seed's meaning", img.Config.Config.Entrypoint)
	}
	if n := len(img.Config.History); n != 5 {
		t.Errorf("history has %d entries, want 5 (busybox + 4 steps): %+v", n, img.Config.History)
	} else if !img.Config.History[4].EmptyLayer || img.Config.History[1].EmptyLayer {
		t.Errorf("history empty-layer marks wrong: %+v", img.Config.History)
	}
	for _, want := range []string{"Step 1/5 : FROM busybox", "Step 5/5 : ENTRYPOINT echo starting", "Successfully built ", "Successfully tagged app"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	tagged, err := e.store.Image(context.Background(), "app")
	if err != nil || tagged.ID != img.ID {
		t.Errorf("tag app -> %v (%v), want %s", tagged.ID, err, img.ID)
	}
	reqs := e.runner.requests()
	if len(reqs) != 2 {
		t.Fatalf("runner got %d requests, want 2", len(reqs))
	}
	if got := reqs[0].Args; !reflect.DeepEqual(got, []string{"/bin/sh", "-c", "echo built > /app/built.txt"}) {
		t.Errorf("RUN argv %q", got)
	}
	if reqs[0].Network != NetworkHost || reqs[0].Cwd != "/" {
		t.Errorf("RUN network %q cwd %q, want host and /", reqs[0].Network, reqs[0].Cwd)
	}
}

func TestRebuildIsFullyCached(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, fiveSteps, fiveStepsFiles())
	first, _ := e.mustBuild(t, Options{ContextDir: dir, Tags: []string{"app"}})
	e.runner.requests()
	second, out := e.mustBuild(t, Options{ContextDir: dir, Tags: []string{"app"}})
	if n := countLines(out, " ---> CACHED"); n != 4 {
		t.Errorf("%d steps cached, want 4:\n%s", n, out)
	}
	if strings.Contains(out, "cache miss") {
		t.Errorf("a step missed:\n%s", out)
	}
	if n := len(e.runner.requests()); n != 0 {
		t.Errorf("%d RUN steps ran on a cached rebuild", n)
	}
	if second.ID != first.ID {
		t.Errorf("cached rebuild made image %s, first build %s", second.ID, first.ID)
	}
}

func TestChangedFileRerunsFromItsCopy(t *testing.T) {
	e := newTestEnv(t)
	dockerfile := `FROM busybox
COPY config.txt /etc/app.conf
RUN echo one > /one
COPY app /app
RUN cat /app/server.js > /copy.js
ENTRYPOINT echo starting
`
	files := fiveStepsFiles()
	files["config.txt"] = "a=1\n"
	dir := newContext(t, dockerfile, files)
	e.mustBuild(t, Options{ContextDir: dir})

	writeTree(t, dir, map[string]string{"app/server.js": "console.log('changed')\n"})
	img, out := e.mustBuild(t, Options{ContextDir: dir})
	steps := strings.Split(out, "Step ")[1:]
	want := []string{
		"",
		" ---> CACHED",
		" ---> CACHED",
		" ---> cache miss: file app/server.js changed",
		" ---> cache miss: parent step was rebuilt",
		" ---> cache miss: parent step was rebuilt",
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d:\n%s", len(steps), len(want), out)
	}
	for i, w := range want {
		if w != "" && !strings.Contains(steps[i], w) {
			t.Errorf("step %d: %q lacks %q", i+1, steps[i], w)
		}
	}
	if got := e.readFile(t, img, "/copy.js"); got != "console.log('changed')\n" {
		t.Errorf("/copy.js = %q after the change", got)
	}
}

func TestStartupCommandsInheritThroughTwoFroms(t *testing.T) {
	e := newTestEnv(t)
	levels := []struct{ tag, dockerfile string }{
		{"level1", "FROM busybox\nENTRYPOINT echo one\n"},
		{"level2", "FROM level1\nENTRYPOINT [\"/bin/echo\", \"two\"]\n"},
		{"level3", "FROM level2\nSHELL [\"/bin/sh\", \"-e\", \"-c\"]\nENTRYPOINT echo three\n"},
	}
	var last [][]string
	for _, l := range levels {
		img, _ := e.mustBuild(t, Options{ContextDir: newContext(t, l.dockerfile, nil), Tags: []string{l.tag}})
		last = img.StartupCommands
	}
	want := [][]string{
		{"/bin/sh", "-c", "echo one"},
		{"/bin/echo", "two"},
		{"/bin/sh", "-e", "-c", "echo three"},
	}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("level3 startup commands %q, want %q", last, want)
	}
	cleared, _ := e.mustBuild(t, Options{ContextDir: newContext(t, "FROM level3\nENTRYPOINT []\n", nil)})
	if len(cleared.StartupCommands) != 0 {
		t.Errorf("ENTRYPOINT [] left %q", cleared.StartupCommands)
	}
}

func TestMultiStageRunsOnlyNeededStages(t *testing.T) {
	e := newTestEnv(t)
	dockerfile := `FROM busybox AS builder
RUN echo compiled > /artifact
FROM busybox AS unused
RUN echo unused stage ran; exit 3
FROM busybox
COPY --from=builder /artifact /opt/artifact
COPY --from=0 /artifact /opt/again
COPY --from=busybox /etc/group /opt/group
`
	dir := newContext(t, dockerfile, nil)
	img, out := e.mustBuild(t, Options{ContextDir: dir})
	if strings.Contains(out, "unused stage ran") {
		t.Errorf("the unused stage ran:\n%s", out)
	}
	if got := e.readFile(t, img, "/opt/artifact"); got != "compiled\n" {
		t.Errorf("/opt/artifact = %q", got)
	}
	if got := e.readFile(t, img, "/opt/again"); got != "compiled\n" {
		t.Errorf("/opt/again = %q", got)
	}
	if got := e.readFile(t, img, "/opt/group"); !strings.Contains(got, "staff") {
		t.Errorf("/opt/group = %q", got)
	}
	if !strings.Contains(out, "Step 1/6 : FROM busybox AS builder") {
		t.Errorf("steps not numbered over the needed stages:\n%s", out)
	}

	// A rebuilt stage invalidates the COPY that reads it, and says so.
	writeTree(t, dir, map[string]string{"Dockerfile": strings.Replace(dockerfile, "echo compiled", "echo recompiled", 1)})
	img, out = e.mustBuild(t, Options{ContextDir: dir})
	if !strings.Contains(out, "cache miss: stage builder was rebuilt") {
		t.Errorf("rebuilt stage not explained:\n%s", out)
	}
	if got := e.readFile(t, img, "/opt/artifact"); got != "recompiled\n" {
		t.Errorf("/opt/artifact = %q after the rebuild", got)
	}

	// The unused stage as target does run, and fails.
	_, _, err := e.build(t, Options{ContextDir: dir, Target: "unused"})
	if err == nil || !strings.Contains(err.Error(), "exit code 3") {
		t.Errorf("building target unused: %v, want exit code 3", err)
	}
}

func TestFailingRunLeavesNoImage(t *testing.T) {
	e := newTestEnv(t)
	good, _ := e.mustBuild(t, Options{ContextDir: newContext(t, "FROM busybox\nRUN echo good > /good\n", nil), Tags: []string{"app"}})

	dockerfile := "FROM busybox\nRUN echo first > /first\n\nRUN for i in $(seq 1 30); do echo line$i; done; exit 7\n"
	dir := newContext(t, dockerfile, nil)
	_, out, err := e.build(t, Options{ContextDir: dir, Tags: []string{"app"}})
	if err == nil {
		t.Fatal("a failing RUN did not fail the build")
	}
	msg := err.Error()
	for _, want := range []string{filepath.Join(dir, "Dockerfile") + ":4:", "exit code 7", "line30", "line11"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line10\n") {
		t.Errorf("error has more than the last 20 lines:\n%s", msg)
	}
	if !strings.Contains(out, "line1\n") {
		t.Errorf("RUN output was not streamed:\n%s", out)
	}
	var located *Error
	if !errors.As(err, &located) || located.Line != 4 {
		t.Errorf("error %v is not at line 4", err)
	}
	img, err := e.store.Image(context.Background(), "app")
	if err != nil || img.ID != good.ID {
		t.Errorf("tag app moved to %v (%v), want it on %s", img.ID, err, good.ID)
	}
}

func TestCopySourcesStayInContext(t *testing.T) {
	e := newTestEnv(t)
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret": "host secret\n"})
	tests := []struct {
		name, dockerfile, want string
		kind                   error
	}{
		{"dotdot", "FROM busybox\nCOPY ../x /x\n", `COPY source "../x" is outside the build context`, errdefs.ErrInvalidArgument},
		{"symlink", "FROM busybox\nCOPY link /x\n", `COPY source "link": a symlink points outside the build context`, errdefs.ErrInvalidArgument},
		{"symlink-dir", "FROM busybox\nCOPY linkdir/secret /x\n", `COPY source "linkdir/secret": a symlink points outside`, errdefs.ErrInvalidArgument},
		{"relative-symlink", "FROM busybox\nCOPY rel /x\n", `COPY source "rel": a symlink points outside`, errdefs.ErrInvalidArgument},
		{"missing", "FROM busybox\n\nCOPY nothere /x\n", `COPY source "nothere": not found in the build context`, errdefs.ErrNotFound},
		{"wildcard-none", "FROM busybox\nCOPY *.none /x/\n", `COPY source "*.none": no file matches`, errdefs.ErrNotFound},
		{"add-dotdot", "FROM busybox\nADD ../../etc/passwd /x\n", `ADD source "../../etc/passwd" is outside the build context`, errdefs.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newContext(t, tt.dockerfile, map[string]string{"ok.txt": "ok\n"})
			os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link"))
			os.Symlink(outside, filepath.Join(dir, "linkdir"))
			os.Symlink("../../../../../../../../etc/passwd", filepath.Join(dir, "rel"))
			_, _, err := e.build(t, Options{ContextDir: dir})
			if err == nil {
				t.Fatal("the build succeeded")
			}
			line := strings.Count(tt.dockerfile, "\n")
			prefix := filepath.Join(dir, "Dockerfile") + ":" + strconv.Itoa(line) + ": "
			if !strings.HasPrefix(err.Error(), prefix+tt.want) {
				t.Errorf("error:\n%v\nwant:\n%s%s", err, prefix, tt.want)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
		})
	}

	// A symlink inside the context, and one inside a copied directory,
	// are fine: the first is followed, the second copied as a link.
	dir := newContext(t, "FROM busybox\nCOPY inlink /inlink\nCOPY tree /tree\n", map[string]string{"real.txt": "real\n", "tree/a": "a\n"})
	os.Symlink("real.txt", filepath.Join(dir, "inlink"))
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "tree/out"))
	img, _ := e.mustBuild(t, Options{ContextDir: dir})
	if got := e.readFile(t, img, "/inlink"); got != "real\n" {
		t.Errorf("/inlink = %q", got)
	}
	if fi := e.lstat(img, "/tree/out"); fi == nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("/tree/out is %v, want a symlink", fi)
	}
}

func TestDockerignore(t *testing.T) {
	e := newTestEnv(t)
	files := map[string]string{
		".dockerignore":    "*.log\n!keep.log\nsecret/\n# comment\nnode_modules\n",
		"a.txt":            "a\n",
		"debug.log":        "noise\n",
		"keep.log":         "kept\n",
		"secret/key":       "key\n",
		"node_modules/x/y": "dep\n",
		"sub/b.txt":        "b\n",
	}
	dir := newContext(t, "FROM busybox\nCOPY . /ctx\n", files)
	img, _ := e.mustBuild(t, Options{ContextDir: dir})
	for p, present := range map[string]bool{
		"/ctx/a.txt":        true,
		"/ctx/keep.log":     true,
		"/ctx/sub/b.txt":    true,
		"/ctx/Dockerfile":   true,
		"/ctx/debug.log":    false,
		"/ctx/secret":       false,
		"/ctx/node_modules": false,
	} {
		if got := e.lstat(img, p) != nil; got != present {
			t.Errorf("%s present = %v, want %v", p, got, present)
		}
	}
	// A change to an ignored file does not invalidate the COPY.
	writeTree(t, dir, map[string]string{"debug.log": "more noise\n"})
	_, out := e.mustBuild(t, Options{ContextDir: dir})
	if countLines(out, " ---> CACHED") != 1 {
		t.Errorf("changing an ignored file missed the cache:\n%s", out)
	}
	// Naming an ignored file is an error.
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM busybox\nCOPY debug.log /x\n"})
	if _, _, err := e.build(t, Options{ContextDir: dir}); err == nil || !strings.Contains(err.Error(), "excluded by .dockerignore") {
		t.Errorf("copying an ignored file: %v", err)
	}
}

func TestArgAndEnvExpansion(t *testing.T) {
	e := newTestEnv(t)
	dockerfile := `ARG BASE=busybox
FROM ${BASE}
ARG VERSION=1.0
ARG UNSET
ENV APP_HOME=/opt/app APP_VERSION=$VERSION
WORKDIR $APP_HOME
COPY ${FILE:-a.txt} ./
RUN echo "$VERSION $APP_VERSION $(pwd) [$UNSET]" > info
LABEL version=$VERSION home="$APP_HOME"
USER app
EXPOSE 8080 53/udp
CMD ["run", "$VERSION"]
`
	dir := newContext(t, dockerfile, map[string]string{"a.txt": "a\n"})
	img, _ := e.mustBuild(t, Options{ContextDir: dir, BuildArgs: map[string]string{"VERSION": "2.0"}})
	if got := e.readFile(t, img, "/opt/app/info"); got != "2.0 2.0 /opt/app []\n" {
		t.Errorf("info = %q", got)
	}
	if e.lstat(img, "/opt/app/a.txt") == nil {
		t.Error("/opt/app/a.txt missing")
	}
	cfg := img.Config.Config
	if cfg.WorkingDir != "/opt/app" || cfg.User != "app" {
		t.Errorf("workdir %q user %q", cfg.WorkingDir, cfg.User)
	}
	if cfg.Labels["version"] != "2.0" || cfg.Labels["home"] != "/opt/app" {
		t.Errorf("labels %v", cfg.Labels)
	}
	if !hasEnv(cfg.Env, "APP_VERSION") || !strings.Contains(strings.Join(cfg.Env, " "), "APP_VERSION=2.0") {
		t.Errorf("env %v", cfg.Env)
	}
	if hasEnv(cfg.Env, "VERSION") {
		t.Errorf("a build arg leaked into the image env: %v", cfg.Env)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok || len(cfg.ExposedPorts) != 2 {
		t.Errorf("exposed ports %v", cfg.ExposedPorts)
	}
	if !reflect.DeepEqual(cfg.Cmd, []string{"run", "$VERSION"}) {
		t.Errorf("cmd %q (exec form is not expanded)", cfg.Cmd)
	}

	_, out := e.mustBuild(t, Options{ContextDir: dir, BuildArgs: map[string]string{"VERSION": "3.0"}})
	if !strings.Contains(out, "cache miss: build arg VERSION changed") {
		t.Errorf("changed build arg not explained:\n%s", out)
	}
}

func TestMissesAreExplained(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, "FROM busybox\nRUN echo one > /x\n", nil)
	_, out := e.mustBuild(t, Options{ContextDir: dir})
	if !strings.Contains(out, "cache miss: no earlier build") {
		t.Errorf("first build:\n%s", out)
	}
	writeTree(t, dir, map[string]string{"Dockerfile": "FROM busybox\nRUN echo two > /x\n"})
	_, out = e.mustBuild(t, Options{ContextDir: dir})
	if !strings.Contains(out, "cache miss: instruction changed (was: RUN echo one > /x)") {
		t.Errorf("changed RUN:\n%s", out)
	}
	_, out = e.mustBuild(t, Options{ContextDir: dir, NoCache: true})
	if strings.Contains(out, "CACHED") || !strings.Contains(out, "cache miss: --no-cache") {
		t.Errorf("--no-cache:\n%s", out)
	}
	// A new base image under the same name.
	time.Sleep(time.Millisecond)
	addBusybox(t, e.store)
	_, out = e.mustBuild(t, Options{ContextDir: dir})
	if !strings.Contains(out, "cache miss: base image busybox changed") {
		t.Errorf("new base image:\n%s", out)
	}
}

func TestCopySemantics(t *testing.T) {
	e := newTestEnv(t)
	dockerfile := `FROM busybox
COPY --chown=app:staff --chmod=640 a.txt /owned.txt
COPY --chown=1234 a.txt /numeric.txt
COPY dir /dest
COPY dir/ /dest2/
COPY a.txt b.txt /multi/
COPY *.txt /glob/
COPY a.txt /var/run/a.txt
WORKDIR /work
COPY a.txt rel.txt
COPY a.txt /bin
`
	dir := newContext(t, dockerfile, map[string]string{
		"a.txt": "a\n", "b.txt": "b\n", "dir/x": "x\n", "dir/sub/y": "y\n",
	})
	os.Chmod(filepath.Join(dir, "dir/x"), 0o700)
	img, _ := e.mustBuild(t, Options{ContextDir: dir})
	checks := []struct {
		path     string
		uid, gid uint32
		mode     os.FileMode
	}{
		{"/owned.txt", 1000, 50, 0o640},
		{"/numeric.txt", 1234, 1234, 0o644},
		{"/dest/x", 0, 0, 0o700},
		{"/dest/sub/y", 0, 0, 0o644},
		{"/dest2/x", 0, 0, 0o700},
		{"/multi/a.txt", 0, 0, 0o644},
		{"/multi/b.txt", 0, 0, 0o644},
		{"/glob/a.txt", 0, 0, 0o644},
		{"/glob/b.txt", 0, 0, 0o644},
		{"/run/a.txt", 0, 0, 0o644},
		{"/work/rel.txt", 0, 0, 0o644},
		{"/bin/a.txt", 0, 0, 0o644},
	}
	for _, c := range checks {
		fi := e.lstat(img, c.path)
		if fi == nil {
			t.Errorf("%s missing", c.path)
			continue
		}
		uid, gid := ownerOf(fi)
		if uid != c.uid || gid != c.gid || fi.Mode().Perm() != c.mode {
			t.Errorf("%s: %d:%d %o, want %d:%d %o", c.path, uid, gid, fi.Mode().Perm(), c.uid, c.gid, c.mode)
		}
	}
	if fi := e.lstat(img, "/var/run"); fi == nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("/var/run is no longer a symlink: %v", fi)
	}
	if e.lstat(img, "/dest/dir") != nil {
		t.Error("COPY dir /dest copied the directory itself, not its contents")
	}
	if e.lstat(img, "/bin/sh") == nil {
		t.Error("COPY into /bin hid its other files")
	}
}

func TestBadDockerfileErrorsCarryLine(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name, dockerfile, want string
		kind                   error
	}{
		{"unknown", "FROM busybox\n\n  # comment\nRUN echo\nFOO bar\n", ":5: unknown instruction FOO", errdefs.ErrInvalidArgument},
		{"no-image", "# c\nFROM nosuchimage\n", `:2: FROM nosuchimage: no image "nosuchimage" in the store`, errdefs.ErrNotFound},
		{"bad-workdir", "FROM busybox\nWORKDIR /etc/passwd\n", ":2: WORKDIR /etc/passwd: not a directory", errdefs.ErrInvalidArgument},
		{"bad-chown", "FROM busybox\nCOPY --chown=nobody x /x\n", ":2: --chown=nobody: no nobody in the image's /etc/passwd", errdefs.ErrNotFound},
		{"bad-var", "FROM busybox\nENV A=${B:?required}\n", ":2: ENV: expanding variables", errdefs.ErrInvalidArgument},
		{"copy-many-to-file", "FROM busybox\nCOPY x y /file\n", ":2: COPY with more than one source", errdefs.ErrInvalidArgument},
		{"from-later-stage", "FROM busybox AS first\nCOPY --from=later /x /x\nFROM busybox AS later\nFROM first\n", ":2: COPY --from=later: the stage is defined later", errdefs.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newContext(t, tt.dockerfile, map[string]string{"x": "x\n", "y": "y\n"})
			file := filepath.Join(dir, "Dockerfile")
			_, _, err := e.build(t, Options{Dockerfile: file})
			if err == nil {
				t.Fatal("the build succeeded")
			}
			if want := file + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
		})
	}
}

func TestRunRequestFromInstructions(t *testing.T) {
	e := newTestEnv(t)
	dockerfile := `FROM busybox
ARG TOKEN=abc
ENV MODE=test
WORKDIR /srv
USER app
RUN --network=none id -u > /tmp/uid
RUN ["/bin/sh", "-c", "echo exec form"]
`
	img, _ := e.mustBuild(t, Options{ContextDir: newContext(t, dockerfile, nil)})
	reqs := e.runner.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	r := reqs[0]
	if r.Network != NetworkNone || r.Cwd != "/srv" || r.User != "app" {
		t.Errorf("request network %q cwd %q user %q", r.Network, r.Cwd, r.User)
	}
	env := strings.Join(r.Env, " ")
	for _, want := range []string{"TOKEN=abc", "MODE=test", "PATH="} {
		if !strings.Contains(env, want) {
			t.Errorf("RUN env %q lacks %s", r.Env, want)
		}
	}
	if reqs[1].Network != NetworkHost || !reflect.DeepEqual(reqs[1].Args, []string{"/bin/sh", "-c", "echo exec form"}) {
		t.Errorf("second request %+v", reqs[1])
	}
	if got := e.readFile(t, img, "/tmp/uid"); got != "1000\n" {
		t.Errorf("RUN ran as uid %q, want 1000", got)
	}
	if _, _, err := e.build(t, Options{ContextDir: newContext(t, "FROM busybox\nRUN true\n", nil), Network: "bridge"}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("network bridge: %v", err)
	}
}

func TestConcurrentBuilds(t *testing.T) {
	e := newTestEnv(t)
	const n = 3
	errs := make(chan error, n)
	dirs := make([]string, n)
	for i := range n {
		dirs[i] = newContext(t, fiveSteps, fiveStepsFiles())
		writeTree(t, dirs[i], map[string]string{"app/id": strconv.Itoa(i)})
	}
	for i := range n {
		go func() {
			_, err := e.builder.Build(context.Background(), Options{ContextDir: dirs[i], Tags: []string{"app" + strconv.Itoa(i)}})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent build: %v", err)
		}
	}
	for i := range n {
		img, err := e.store.Image(context.Background(), "app"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.readFile(t, img, "/app/id"); got != strconv.Itoa(i) {
			t.Errorf("app%d has /app/id %q", i, got)
		}
	}
}
