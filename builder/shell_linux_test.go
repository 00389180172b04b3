package builder

import (
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/image"
)

// markShell is a shell for SHELL that logs each command line it runs to
// /shell.log, then runs it with /bin/sh -c: its log proves which shell
// a step used.
const markShell = "#!/bin/sh\necho \"$2\" >> /shell.log\nexec /bin/sh -c \"$2\"\n"

// shellBase builds the image tag whose SHELL is /bin/marksh -c (tag's
// name in the log lines) or, with plain, an image whose SHELL is
// /bin/sh -c written out.
func shellBase(t *testing.T, e *testEnv, tag string, plain bool) image.Image {
	t.Helper()
	shell := `SHELL ["/bin/marksh", "-c"]`
	if plain {
		shell = `SHELL ["/bin/sh", "-c"]`
	}
	df := "FROM busybox\nCOPY --chmod=755 marksh /bin/marksh\n" + shell + "\n"
	img, _ := e.mustBuild(t, Options{ContextDir: newContext(t, df, map[string]string{"marksh": markShell}), Tags: []string{tag}})
	return img
}

// TestShellKeptAndInherited checks Docker's config.Shell: SHELL is kept in
// the image, and a child image's shell-form RUN, CMD and ENTRYPOINT use the
// parent's shell, as does a stage FROM a stage; an image without SHELL has
// none in its config.
func TestShellKeptAndInherited(t *testing.T) {
	e := newTestEnv(t)
	if e.busybox.Shell != nil {
		t.Fatalf("busybox has Shell %q", e.busybox.Shell)
	}
	parent := shellBase(t, e, "marked", false)
	want := []string{"/bin/marksh", "-c"}
	if !reflect.DeepEqual(parent.Shell, want) {
		t.Fatalf("parent Shell %q, want %q", parent.Shell, want)
	}

	child, out := e.mustBuild(t, Options{
		ContextDir:        newContext(t, "FROM marked\nRUN echo child-run\nCMD echo child-cmd\nENTRYPOINT echo child-ep\n", nil),
		EntrypointMeaning: image.EntrypointDocker,
	})
	if !reflect.DeepEqual(child.Shell, want) {
		t.Errorf("child Shell %q, want the parent's %q", child.Shell, want)
	}
	if got := e.readFile(t, child, "/shell.log"); got != "echo child-run\n" {
		t.Errorf("/shell.log = %q: the RUN did not use the inherited shell\n%s", got, out)
	}
	cfg := child.Config.Config
	if w := []string{"/bin/marksh", "-c", "echo child-cmd"}; !reflect.DeepEqual(cfg.Cmd, w) {
		t.Errorf("Cmd %q, want %q", cfg.Cmd, w)
	}
	if w := []string{"/bin/marksh", "-c", "echo child-ep"}; !reflect.DeepEqual(cfg.Entrypoint, w) {
		t.Errorf("Entrypoint %q, want %q", cfg.Entrypoint, w)
	}

	// A stage FROM a stage with SHELL; a later SHELL wins.
	staged, _ := e.mustBuild(t, Options{ContextDir: newContext(t,
		"FROM marked AS a\nSHELL [\"/bin/sh\", \"-ec\"]\nFROM a\nRUN echo staged > /staged\n", nil)})
	if w := []string{"/bin/sh", "-ec"}; !reflect.DeepEqual(staged.Shell, w) {
		t.Errorf("staged Shell %q, want %q", staged.Shell, w)
	}
	if got := e.readFile(t, staged, "/staged"); got != "staged\n" {
		t.Errorf("/staged = %q", got)
	}
	if fi := e.lstat(staged, "/shell.log"); fi != nil {
		t.Error("the RUN after SHELL [\"/bin/sh\", \"-ec\"] used the base's shell")
	}

	plain, _ := e.mustBuild(t, Options{ContextDir: newContext(t, "FROM busybox\nCMD echo hi\n", nil)})
	if plain.Shell != nil {
		t.Errorf("an image without SHELL has Shell %q", plain.Shell)
	}
}

// TestShellChangeMissesCache checks that a RUN cached with one inherited
// shell is not reused when the parent's SHELL changes, and that the
// rebuilt image carries the new shell.
func TestShellChangeMissesCache(t *testing.T) {
	e := newTestEnv(t)
	shellBase(t, e, "base", false)
	dir := newContext(t, "FROM base\nRUN echo step > /step\n", nil)
	first, _ := e.mustBuild(t, Options{ContextDir: dir})
	if got := e.readFile(t, first, "/shell.log"); got != "echo step > /step\n" {
		t.Fatalf("/shell.log = %q", got)
	}
	if _, out := e.mustBuild(t, Options{ContextDir: dir}); !strings.Contains(out, "CACHED") {
		t.Fatalf("an unchanged rebuild missed the cache:\n%s", out)
	}

	shellBase(t, e, "base", true) // the same name, SHELL ["/bin/sh", "-c"]
	second, out := e.mustBuild(t, Options{ContextDir: dir})
	if strings.Contains(out, "CACHED") {
		t.Errorf("a step reused the cache after the parent's SHELL changed:\n%s", out)
	}
	if fi := e.lstat(second, "/shell.log"); fi != nil {
		t.Errorf("the RUN used the old shell:\n%s", out)
	}
	if w := []string{"/bin/sh", "-c"}; !reflect.DeepEqual(second.Shell, w) {
		t.Errorf("Shell %q, want %q", second.Shell, w)
	}
}

// TestShellStepKey checks that the SHELL step's cache key differs from the
// one of builds that kept the shell only while building (no Detail), whose
// cached states lack Shell.
func TestShellStepKey(t *testing.T) {
	old := stepInputs{Instruction: `SHELL ["/bin/bash","-c"]`}
	cur := stepInputs{Instruction: old.Instruction, Detail: shellDetail}
	if old.key("parent") == cur.key("parent") {
		t.Error("the SHELL step's key is the one of the builds that did not keep Shell")
	}
}
