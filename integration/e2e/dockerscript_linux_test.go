package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDockerScripts runs the shell commands of testdata/dockerscripts/*.txt
// with `docker` meaning our CLI, and compares what each prints with what
// Docker prints for it. The expected outputs were written from Docker's
// documentation, not recorded from our engine: they are the proof that a
// script written for Docker gets the same answers here.
//
// A script file is a list of steps, then the files of its work directory:
//
//	# a comment
//	$ docker run --rm busybox echo hi      (a step: one bash command line)
//	hi                                     (its expected stdout, line by line)
//	~Up [0-9]+ seconds?                    (a line matched as a regular expression)
//	-- ctx/Dockerfile --                   (a file of the work directory, up to the next one)
//
// Each step runs in bash in the script's own work directory; it fails if
// it exits non-zero (a step that expects a failure ends with `; echo $?`) or
// if its stdout differs. `eventually WANT CMD...` reruns CMD for up to 30 s
// until it prints WANT, then prints what it printed last.
func TestDockerScripts(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)

	cli, _, _ := daemon.Bins()
	binDir := t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", cli)
	if err := os.WriteFile(filepath.Join(binDir, "docker"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"CONTAINER_RUNTIME_HOST=unix://"+d.Socket,
		"PATH="+binDir+":"+os.Getenv("PATH"))

	scripts, err := filepath.Glob("testdata/dockerscripts/*.txt")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts in testdata/dockerscripts: %v", err)
	}
	for _, path := range scripts {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseDockerScript(string(text))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			dir := t.TempDir()
			for name, content := range s.files {
				p := filepath.Join(dir, name)
				mode := os.FileMode(0o644)
				if strings.HasSuffix(name, ".sh") {
					mode = 0o755
				}
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), mode); err != nil {
					t.Fatal(err)
				}
			}
			for _, st := range s.steps {
				if !runDockerStep(t, env, dir, path, st) {
					return // later steps depend on this one
				}
			}
		})
	}
}

// scriptPrelude is sourced before every step.
const scriptPrelude = `set -o pipefail
eventually() {
	want=$1; shift
	for _ in $(seq 300); do
		out=$("$@" 2>&1)
		[ "$out" = "$want" ] && break
		sleep 0.1
	done
	printf '%s\n' "$out"
}
`

type dockerStep struct {
	line int      // of the command in the script file
	cmd  string   // the bash command line
	want []string // expected stdout lines; "~" starts a regular expression
}

type dockerScript struct {
	steps []dockerStep
	files map[string]string
}

// parseDockerScript reads a script file's steps and files.
func parseDockerScript(text string) (dockerScript, error) {
	s := dockerScript{files: map[string]string{}}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	file := ""
	for i, l := range lines {
		if strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --") {
			file = strings.TrimSpace(l[3 : len(l)-3])
			if file == "" || filepath.IsAbs(file) || strings.Contains(file, "..") {
				return s, fmt.Errorf("line %d: bad file name %q", i+1, file)
			}
			s.files[file] = ""
			continue
		}
		switch {
		case file != "":
			s.files[file] += l + "\n"
		case strings.HasPrefix(l, "$ "):
			s.steps = append(s.steps, dockerStep{line: i + 1, cmd: l[2:]})
		case l == "" || strings.HasPrefix(l, "#"):
		case len(s.steps) == 0:
			return s, fmt.Errorf("line %d: output before the first command: %q", i+1, l)
		default:
			st := &s.steps[len(s.steps)-1]
			st.want = append(st.want, l)
		}
	}
	if len(s.steps) == 0 {
		return s, fmt.Errorf("no steps")
	}
	return s, nil
}

// runDockerStep runs one step and reports whether it printed what it should.
func runDockerStep(t *testing.T, env []string, dir, path string, st dockerStep) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", scriptPrelude+st.cmd)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	where := fmt.Sprintf("%s:%d: $ %s", path, st.line, st.cmd)
	if err != nil {
		t.Errorf("%s\nfailed: %v\nstdout:\n%s\nstderr:\n%s", where, err, stdout.String(), stderr.String())
		return false
	}
	got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if stdout.Len() == 0 {
		got = nil
	}
	if msg := compareLines(got, st.want); msg != "" {
		t.Errorf("%s\n%s\nstdout:\n%s\nstderr:\n%s", where, msg, stdout.String(), stderr.String())
		return false
	}
	return true
}

// compareLines says how got differs from want ("" if it does not).
func compareLines(got, want []string) string {
	if len(got) != len(want) {
		return fmt.Sprintf("printed %d lines, want %d: %q", len(got), len(want), want)
	}
	for i, w := range want {
		if re, ok := strings.CutPrefix(w, "~"); ok {
			if !regexp.MustCompile("^(?:" + re + ")$").MatchString(got[i]) {
				return fmt.Sprintf("line %d is %q, want a match of %q", i+1, got[i], re)
			}
			continue
		}
		if got[i] != w {
			return fmt.Sprintf("line %d is %q, want %q", i+1, got[i], w)
		}
	}
	return ""
}

// TestDockerScriptCompare checks that the comparison of TestDockerScripts
// can fail: a different line, a missing line and a regular expression that
// does not match are all reported.
func TestDockerScriptCompare(t *testing.T) {
	for _, c := range []struct {
		got, want []string
		same      bool
	}{
		{[]string{"hello world"}, []string{"hello world"}, true},
		{[]string{"Up 3 seconds (healthy)"}, []string{`~Up .* \(healthy\)`}, true},
		{[]string{"hello"}, []string{"hello world"}, false},
		{nil, []string{"x"}, false},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{"Up 3 seconds (unhealthy)"}, []string{`~Up .* \(healthy\)`}, false},
		{[]string{"xUp 3 seconds (healthy)"}, []string{`~Up .* \(healthy\)`}, false},
	} {
		if msg := compareLines(c.got, c.want); (msg == "") != c.same {
			t.Errorf("compareLines(%q, %q) = %q, want same=%v", c.got, c.want, msg, c.same)
		}
	}
	if _, err := parseDockerScript("hello\n$ true\n"); err == nil {
		t.Error("output before the first command was accepted")
	}
	if _, err := parseDockerScript("$ true\n-- ../x --\n"); err == nil {
		t.Error("a file outside the work directory was accepted")
	}
	s, err := parseDockerScript("# c\n$ echo a\na\n\n$ true\n-- ctx/f.sh --\n#!/bin/sh\n")
	if err != nil || len(s.steps) != 2 || len(s.steps[0].want) != 1 || s.files["ctx/f.sh"] != "#!/bin/sh\n" {
		t.Errorf("parse: %+v %v", s, err)
	}
}
