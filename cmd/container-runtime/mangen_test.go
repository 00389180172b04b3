package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestManPages generates the man pages as `make install` does and checks
// that run's page exists and documents its flags.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, nil, "", "__gen-man", dir)
	if r.code != 0 {
		t.Fatalf("__gen-man: %+v", r)
	}
	b, err := os.ReadFile(filepath.Join(dir, "container-runtime-run.1"))
	if err != nil {
		t.Fatalf("no man page for run: %v", err)
	}
	page := string(b)
	for _, want := range []string{`.TH "CONTAINER-RUNTIME" "1"`, "container-runtime-run - Create and start a container",
		`\fB--publish\fP`, `\fB--detach\fP`, `\fB--name\fP`, "publish a port"} {
		if !strings.Contains(page, want) {
			t.Errorf("the run man page lacks %q", want)
		}
	}
	for _, name := range []string{"container-runtime.1", "container-runtime-ps.1", "container-runtime-image-ls.1"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("no man page %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "container-runtime-__gen-man.1")); err == nil {
		t.Errorf("the hidden __gen-man command has a man page")
	}
}

// TestCompletion checks the completion scripts `make install` installs:
// bash's sources without error and registers the completion function;
// zsh's is a #compdef file.
func TestCompletion(t *testing.T) {
	testutil.RequireTool(t, "bash")
	r := runCLI(t, nil, "", "completion", "bash")
	if r.code != 0 || len(r.stdout) == 0 {
		t.Fatalf("completion bash: %+v", r)
	}
	script := filepath.Join(t.TempDir(), "container-runtime")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", "-c", `set -e; source "$1"; complete -p container-runtime`, "bash", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "container-runtime") {
		t.Errorf("sourcing the bash completion: %v\n%s", err, out)
	}
	r = runCLI(t, nil, "", "completion", "zsh")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "#compdef container-runtime") {
		t.Errorf("completion zsh: %+v", r)
	}
}

// TestRoffEscaping checks that help texts cannot turn into roff requests
// or escapes: a backslash stays a backslash, a line starting with '.' or
// an apostrophe stays text.
func TestRoffEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`plain`, `plain`},
		{`'{{.Names}}\t{{.Status}}'`, `\&'{{.Names}}\et{{.Status}}'`},
		{".SH not a section\nnext", "\\&.SH not a section\nnext"},
		{`a \fBbold\fP try`, `a \efBbold\efP try`},
	} {
		if got := roffLines(tc.in); got != tc.want {
			t.Errorf("roffLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
